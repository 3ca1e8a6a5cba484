"""Node count, rate-limit cost and pagination checks of a GraphQL query, as GitHub documents them.

Source: GitHub Docs, "Rate limits and query limits for the GraphQL API"
(docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
  * Node limit: every connection needs `first` or `last`, each within 1-100; a call may request
    at most 500,000 nodes, counted as the sum over connections of the product of the page sizes
    of the connection and every connection above it (worked examples: 550 and 22,060 nodes).
  * Point value: add up the requests needed to fulfil each connection, assuming every page is
    full: a connection is fetched once per node of its parent connections (the product of their
    page sizes); divide by 100, round to the nearest whole number; the minimum is 1 (worked
    example: 1 + 100 + 5,000 = 5,101 requests, 51 points).
A connection is a field whose type has `pageInfo` plus `nodes` or `edges` (GitHub's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    is_interface_type,
    is_object_type,
    type_from_ast,
    value_from_ast,
)

NODE_LIMIT = 500_000
PAGE_MAX = 100


@dataclass
class QueryMeasure:
    """What a query asks for, before it runs.

    Attributes:
        node_count: nodes requested (GitHub's node-limit sum).
        requests: requests needed to fulfil every connection (GitHub's point-value sum).
        errors: GitHub-shaped errors ({"type", "message", "locations"}) that reject the query:
            missing or out-of-range `first`/`last`, both given, node limit exceeded.
    """

    node_count: int = 0
    requests: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """Point value: requests / 100 rounded half up, at least 1."""
        return max(1, (self.requests + 50) // 100)


def _is_connection(t: Any) -> bool:
    return (
        (is_object_type(t) or is_interface_type(t))
        and "pageInfo" in t.fields
        and ("nodes" in t.fields or "edges" in t.fields)
    )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> QueryMeasure:
    """Count nodes and requests of the operation that would run (the document must be valid).

    Args:
        schema: GitHub's schema (tests.fakegithub.graphql.schema.github_schema()).
        document: the parsed, validated query.
        variables: the request's variables (JSON values).
        operation_name: which operation runs when the document has several.

    Returns:
        The QueryMeasure (its `errors` empty when GitHub would run the query).
    """
    variables = dict(variables or {})
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    op = next((o for o in ops if o.name and o.name.value == operation_name), ops[0] if ops else None)
    out = QueryMeasure()
    if op is None:
        return out
    root = schema.get_root_type(op.operation)
    if root is None:
        return out
    for vd in op.variable_definitions or ():
        name = vd.variable.name.value
        if name not in variables and vd.default_value is not None:
            variables[name] = value_from_ast(vd.default_value, type_from_ast(schema, vd.type), {})  # type: ignore[arg-type]
    _walk(schema, op.selection_set, root, 1, out, fragments, variables, set())
    if out.node_count > NODE_LIMIT:
        out.errors.append(
            {
                "type": "MAX_NODE_LIMIT_EXCEEDED",
                "message": f"This query requests up to {out.node_count:,} nodes which exceeds the "
                f"maximum limit of {NODE_LIMIT:,}.",
            }
        )
    return out


def _argument(node: FieldNode, field_def: Any, name: str, variables: dict[str, Any]) -> Any:
    arg = field_def.args.get(name)
    for a in node.arguments or ():
        if a.name.value == name and arg is not None:
            value = value_from_ast(a.value, arg.type, variables)
            return None if value is Undefined else value
    return None


def _walk(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: Any,
    multiplier: int,
    out: QueryMeasure,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: set[str],
) -> None:
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, InlineFragmentNode):
            t = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
            _walk(schema, sel.selection_set, t, multiplier, out, fragments, variables, seen)
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag is None or sel.name.value in seen:
                continue
            t = schema.get_type(frag.type_condition.name.value)
            _walk(
                schema, frag.selection_set, t, multiplier, out, fragments, variables, seen | {frag.name.value}
            )
        elif isinstance(sel, FieldNode):
            fields = getattr(parent, "fields", None)
            if sel.name.value.startswith("__") or not fields or sel.name.value not in fields:
                continue
            field_def = fields[sel.name.value]
            child = get_named_type(field_def.type)
            inner = multiplier
            if _is_connection(child):
                page = _page_size(sel, field_def, variables, out)
                out.requests += multiplier
                out.node_count += multiplier * page
                inner = multiplier * page
            if sel.selection_set is not None:
                _walk(schema, sel.selection_set, child, inner, out, fragments, variables, seen)


def _page_size(node: FieldNode, field_def: Any, variables: dict[str, Any], out: QueryMeasure) -> int:
    name = node.name.value
    first = _argument(node, field_def, "first", variables)
    last = _argument(node, field_def, "last", variables)
    loc = []
    if node.loc is not None:
        where = node.loc.source.get_location(node.loc.start)
        loc = [{"line": where.line, "column": where.column}]
    if first is None and last is None:
        out.errors.append(
            {
                "type": "MISSING_PAGINATION_BOUNDARIES",
                "message": f"You must provide a `first` or `last` value to properly paginate the "
                f"`{name}` connection.",
                "locations": loc,
            }
        )
        return 0
    if first is not None and last is not None:
        out.errors.append(
            {
                "type": "INVALID_PAGINATION",
                "message": f"Passing both `first` and `last` to paginate the `{name}` connection is "
                "not supported.",
                "locations": loc,
            }
        )
    which, value = ("first", first) if first is not None else ("last", last)
    if value > PAGE_MAX:
        out.errors.append(
            {
                "type": "EXCESSIVE_PAGINATION",
                "message": f"Requesting {value} records on the `{name}` connection exceeds the "
                f"`{which}` limit of {PAGE_MAX} records.",
                "locations": loc,
            }
        )
    elif value < 1:
        out.errors.append(
            {
                "type": "INVALID_PAGINATION",
                "message": f"`{which}` on the `{name}` connection must be within 1-{PAGE_MAX}, not {value}.",
                "locations": loc,
            }
        )
    return int(max(value, 0))
