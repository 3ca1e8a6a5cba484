"""The load's statements, composed from each table's SELECT and the build contract."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prseed.load import direct, tables

from prseed import load
from prseed.contracts import BUILD_TABLES, arrow_schema
from tests.buildgen import generate

KEYED = [t for t in BUILD_TABLES if t not in tables.UNKEYED_TABLES]
N_PRS = 40
# Build columns that name another row (a natural key) rather than a value of their own row:
# the load writes the id of that row instead. Written out here, not taken from the SQL.
_TEAM = {"team_slug": "team_id"}
_PR = {"github_repo": "pull_request_id", "github_pr_id": "pull_request_id"}
REFERENCES: dict[str, dict[str, str]] = {
    "teams_team": {},
    "metrics_teammember": _TEAM,
    "metrics_pullrequest": {**_TEAM, "author_github_id": "author_id"},
    "metrics_prreview": {**_TEAM, **_PR, "reviewer_github_id": "reviewer_id"},
    "metrics_prcomment": {**_TEAM, **_PR, "author_github_id": "author_id"},
    # A commit stores its repository itself; the PR number only finds its pull request.
    "metrics_commit": {**_TEAM, "github_pr_id": "pull_request_id", "author_github_id": "author_id"},
    "metrics_prfile": {**_TEAM, **_PR},
    "metrics_prcheckrun": {**_TEAM, **_PR},
    "metrics_jiraissue": {**_TEAM, "assignee_github_id": "assignee_id"},
    "metrics_prsurvey": {**_TEAM, **_PR, "author_github_id": "author_id", "survey_created_at": "created_at"},
    "metrics_prsurveyreview": {
        **_TEAM,
        "github_repo": "survey_id",
        "github_pr_id": "survey_id",
        "reviewer_github_id": "reviewer_id",
    },
    "metrics_aiusagedaily": {**_TEAM, "member_github_id": "member_id"},
    "metrics_weeklymetrics": {**_TEAM, "member_github_id": "member_id"},
    "metrics_dailyinsight": _TEAM,
}


def test_every_build_table_has_its_references_listed() -> None:
    assert set(REFERENCES) == set(BUILD_TABLES)


@pytest.mark.parametrize("table", KEYED)
def test_composed_upsert_lists_the_contract_columns_once(table: str) -> None:
    select = tables.parse_select(table)
    written = [c.name for c in select.columns]
    data = [c.name for c in select.columns if c.kind == "data"]
    # Every build column lands once: under its own name, or as the id its natural key resolves to.
    expected = list(dict.fromkeys(REFERENCES[table].get(c, c) for c in arrow_schema("build", table).names))
    assert sorted(data) == sorted(expected)
    assert len(written) == len(set(written))
    text = tables.upsert_statement(table).as_string(None)
    insert_list = ", ".join(f'"{c}"' for c in written)
    assert text.count(f"AS d ({insert_list})") == 1
    compared = [c for c in data if c not in select.conflict_columns]
    assert compared, table
    for column in written:
        changed = column in compared
        assert text.count(f'"d"."{column}"') == int(changed), column
        assert text.count(f'"excluded"."{column}"') == int(changed), column
        stamped = changed or (column in tables.RESTAMPED)
        assert text.count(f'"{column}" = EXCLUDED."{column}"') == int(stamped), column
    # The loader's stamps and defaults are never compared, so an unchanged row stays untouched.
    assert "created_at" not in compared or table == "metrics_prsurvey"
    assert "ON CONFLICT " + select.conflict in text
    assert "ON CONFLICT" not in tables.upsert_statement(table, insert_only=True).as_string(None)


def test_the_direct_path_runs_the_same_select() -> None:
    for table in direct.DIRECT_TABLES:
        query, _ = direct.select_sql(table)
        select = tables.parse_select(table)
        for column in select.columns:
            assert f'"{column.name}"' in query
        assert direct.now_columns(table) == {c.name for c in select.columns if c.kind == "now"}


def test_a_select_item_without_a_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "-- conflict: (slug)\nSELECT now() AS created_at, lower(s.name), s.slug FROM stg_teams_team AS s\n"
    monkeypatch.setattr(tables, "upsert_sql", lambda table: text)
    tables.parse_select.cache_clear()
    try:
        with pytest.raises(ValueError, match="needs a column name"):
            tables.parse_select("teams_team")
    finally:
        tables.parse_select.cache_clear()


def _rows(url: str) -> dict[str, dict[int, tuple[datetime, tuple[Any, ...]]]]:
    """``{table: {id: (updated_at, every other column but synced_at)}}``."""
    found: dict[str, dict[int, tuple[datetime, tuple[Any, ...]]]] = {}
    with psycopg.connect(url) as conn:
        for table in BUILD_TABLES:
            cur = conn.execute(f"SELECT * FROM {table}")
            assert cur.description is not None
            names = [d.name for d in cur.description]
            rows = found[table] = {}
            for row in cur.fetchall():
                values = dict(zip(names, row, strict=True))
                stamp = values.pop("updated_at")
                values.pop("synced_at", None)
                rows[values["id"]] = (stamp, tuple(values.values()))
    return found


@pytest.mark.parametrize("bulk", [False, True], ids=["deferred-fk", "bulk"])
def test_reload_touches_only_changed_rows(pg_url: str, tmp_path: Path, bulk: bool) -> None:
    v0, v1 = tmp_path / "v0" / "acme", tmp_path / "v1" / "acme"
    generate(v0, N_PRS)
    generate(v1, N_PRS, version=1)

    def run(build: Path) -> None:
        load.run(load.LoadConfig(build_dirs=(build,), database_url=pg_url, create_schema=True, bulk=bulk))

    run(v0)
    first = _rows(pg_url)
    run(v0)
    assert _rows(pg_url) == first  # not one updated_at moved
    run(v1)
    second = _rows(pg_url)
    changed = 0
    for table in BUILD_TABLES:
        for row_id, (stamp, values) in first[table].items():
            if row_id not in second[table]:
                assert table == "metrics_dailyinsight"  # replaced, not updated (no unique key)
                continue
            new_stamp, new_values = second[table][row_id]
            if new_values == values:
                assert new_stamp == stamp, (table, row_id)
            else:
                assert new_stamp > stamp, (table, row_id)
                changed += 1
    assert changed >= N_PRS // 10  # the newer build changed PRs, reviews, ...
