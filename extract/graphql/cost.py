"""Node count and rate-limit cost of a GraphQL query, computed before it is sent.

GitHub's rules (docs: "Rate limits and query limits for the GraphQL API", sections "Node limit"
and "Calculating a rate limit score before running the call"):

* every connection needs ``first`` or ``last`` in 1..100;
* **nodes**: each connection contributes its ``first``/``last`` times that of every connection
  around it; a call may request at most 500,000 nodes;
* **cost**: each connection needs one request per object that may hold it, i.e. the product of
  the ``first``/``last`` of the connections around it (1 at the top level); the sum over all
  connections, divided by 100 and rounded to the nearest whole number, is the score, at least 1.

A field is a connection when it takes ``first`` or ``last`` (GitHub requires one on every
connection). Fragments and inline fragments count as if written out where they are used, aliases
as separate fields. The computation is static: it assumes every connection is full, as GitHub does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)

NODE_LIMIT = 500_000
PAGE_MAX = 100


class QueryLimitError(ValueError):
    """A query breaks one of GitHub's documented query limits (a bug in the query builder)."""


@dataclass(frozen=True)
class QueryCost:
    """What a query may cost.

    Attributes:
        nodes: the maximum number of connection nodes it can return (limit 500,000).
        requests: GitHub's count of requests needed to fulfil its connections.
        points: the rate-limit score, ``max(1, round(requests / 100))``.
    """

    nodes: int
    requests: int
    points: int


def points_for(requests: int) -> int:
    """GitHub's score for a request count: divided by 100, rounded half up, at least 1."""
    return max(1, math.floor(requests / 100 + 0.5))


def query_cost(query: str | DocumentNode, variables: Mapping[str, Any] | None = None) -> QueryCost:
    """Compute a query's node count and rate-limit cost.

    Args:
        query: the query text (or a parsed document) with one operation.
        variables: values of the variables ``first``/``last`` may refer to.

    Returns:
        The cost.

    Raises:
        QueryLimitError: a connection without ``first``/``last``, or outside 1..100, or more
            than 500,000 nodes.
    """
    document = parse(query) if isinstance(query, str) else query
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise QueryLimitError(f"expected one operation, found {len(operations)}")
    totals = [0, 0]  # nodes, requests
    _walk(operations[0].selection_set, 1, fragments, dict(variables or {}), totals, ())
    nodes, requests = totals
    if nodes > NODE_LIMIT:
        raise QueryLimitError(f"the query may return {nodes:,} nodes, over GitHub's limit of {NODE_LIMIT:,}")
    return QueryCost(nodes=nodes, requests=requests, points=points_for(requests))


def _walk(
    selections: SelectionSetNode | None,
    multiplier: int,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    totals: list[int],
    seen: tuple[str, ...],
) -> None:
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            size = _page_size(selection, variables)
            if size is None:
                _walk(selection.selection_set, multiplier, fragments, variables, totals, seen)
                continue
            totals[1] += multiplier
            totals[0] += multiplier * size
            _walk(selection.selection_set, multiplier * size, fragments, variables, totals, seen)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, multiplier, fragments, variables, totals, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                raise QueryLimitError(f"fragment {name} is unknown or recursive")
            _walk(fragments[name].selection_set, multiplier, fragments, variables, totals, (*seen, name))


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """``first``/``last`` of a connection field; None for a field that is not a connection."""
    args: dict[str, ArgumentNode] = {a.name.value: a for a in field.arguments or ()}
    chosen = args.get("first") or args.get("last")
    if chosen is None:
        return None
    value: Any
    if isinstance(chosen.value, VariableNode):
        value = variables.get(chosen.value.name.value)
    elif isinstance(chosen.value, IntValueNode):
        value = int(chosen.value.value)
    else:
        value = None
    name = (field.alias or field.name).value
    if not isinstance(value, int) or not 1 <= value <= PAGE_MAX:
        raise QueryLimitError(f"connection {name}: first/last must be 1..{PAGE_MAX}, got {value!r}")
    return value
