"""GitHub's GraphQL API for the fake GitHub: the vendored public schema, resolvers, accounting.

`github_schema()` (in `tests.fakegithub.graphql.schema`) returns the built public schema; tests
validate every query prseed sends against it.
"""
