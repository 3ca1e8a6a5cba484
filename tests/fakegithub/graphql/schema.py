"""GitHub's public GraphQL schema, vendored from npm `@octokit/graphql-schema` 15.26.1.

`schema.json.gz` is that package's `schema.json` (GitHub's introspection answer), gzip-compressed
byte for byte (tarball sha256 053e7424…8d1e, schema.json sha256 bbdb03f4…cddd); LICENSE.md is the
package's MIT licence. The package's `schema.graphql` defines
`EnterpriseOwnerInfo.repositoryDeployKeySetting*` twice, so the schema is built from the
introspection JSON instead of the SDL.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_client_schema,
)

SCHEMA_PACKAGE = "@octokit/graphql-schema"
SCHEMA_VERSION = "15.26.1"

# graphql-core >= 3.3 follows graphql-js 17, which rejects an implementation field that is
# deprecated while its interface field is not. GitHub's live schema has nine such fields
# (PullRequest.databaseId and friends); GitHub serves it anyway and query validation does not
# look at deprecation, so those schema-definition findings are tolerated (a test checks that
# they are the only ones).
TOLERATED_SCHEMA_ERROR = "is not deprecated, so implementation field"


def introspection() -> dict[str, Any]:
    """The vendored introspection result: `{"__schema": {...}}` (about 5 MB of JSON)."""
    raw = resources.files(__package__).joinpath("schema.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data.get("data", data)


@cache
def github_schema() -> GraphQLSchema:
    """GitHub's public GraphQL schema, built once per process (about 0.3 s).

    Returns:
        The schema for graphql-core's `validate`/`execute`. It is marked as already
        validated (see TOLERATED_SCHEMA_ERROR); resolvers are attached by the fake server to
        its own copy, never to this one.
    """
    return build_client_schema(introspection(), assume_valid=True)  # type: ignore[arg-type]


def _serialize_wide_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Int cannot represent non-integer value: {value!r}")
    return value


# GitHub's `Int` outputs are wider than GraphQL's 32 bits: check runs, PRs and reviews have
# `databaseId`s above 2^31 and GitHub returns them whole (clients such as Octokit.GraphQL moved
# those fields to 64-bit integers for that reason).
WIDE_INT = GraphQLScalarType("WideInt", serialize=_serialize_wide_int)


@cache
def execution_schema() -> GraphQLSchema:
    """A copy of the schema for the fake server's execution: `Int` output fields serialize
    integers of any size, as GitHub does (inputs and validation are unchanged)."""
    schema = build_client_schema(introspection(), assume_valid=True)  # type: ignore[arg-type]
    for t in schema.type_map.values():
        if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType) or t.name.startswith("__"):
            continue
        for f in t.fields.values():
            if f.type is GraphQLInt:
                f.type = WIDE_INT
            elif isinstance(f.type, GraphQLNonNull) and f.type.of_type is GraphQLInt:
                f.type = GraphQLNonNull(WIDE_INT)
    return schema
