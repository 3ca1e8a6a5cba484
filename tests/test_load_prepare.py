"""The pure part of the load: NUL replacement, truncation, CSV rendering, derived specs."""

from __future__ import annotations

import pyarrow as pa
import pytest
from prseed.load import tables
from prseed.load.database import preflight_problems, redact
from prseed.load.prepare import Fixes, csv_bytes, sanitize_batch


def _batch(**columns: list[object]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(columns)


def test_nul_is_replaced_and_counted_in_text_and_json() -> None:
    batch = _batch(title=["a\x00b\x00", "ok", None], labels=['["x\\u0000"]', "[]", "[]"])
    fixes = Fixes()
    out = sanitize_batch(batch, frozenset({"labels"}), {}, fixes)
    assert out.column(0).to_pylist() == ["a\ufffdb\ufffd", "ok", None]
    assert out.column(1).to_pylist() == ['["x\\ufffd"]', "[]", "[]"]
    assert fixes.nul_replaced == 3 and fixes.truncated == 0


def test_long_values_are_cut_by_characters_not_bytes() -> None:
    fixes = Fixes()
    out = sanitize_batch(_batch(name=["é" * 7, "abc", None]), frozenset(), {"name": 5}, fixes)
    assert out.column(0).to_pylist() == ["é" * 5, "abc", None]
    assert fixes.truncated == 1


def test_csv_keeps_empty_string_apart_from_null() -> None:
    rendered = csv_bytes(_batch(s=["", None, 'q"uote,\nline'], n=[1, None, 3]))
    assert rendered == b'"",1\n,\n"q""uote,\nline",3\n'


def test_written_columns_come_from_the_sql_files() -> None:
    written = tables.written_columns("metrics_prfile")
    assert written["pull_request_id"] == "integer" and written["filename"] == "text"
    assert "team_slug" not in written and "created_at" in written


def test_length_sources_follow_natural_key_references() -> None:
    assert tables.length_source("metrics_prreview", "team_slug") == ("teams_team", "slug")
    assert tables.length_source("metrics_prreview", "reviewer_github_id") == (
        "metrics_teammember",
        "github_id",
    )
    assert tables.length_source("metrics_prfile", "github_repo") == (
        "metrics_pullrequest",
        "github_repo",
    )
    assert tables.length_source("metrics_prfile", "filename") == ("metrics_prfile", "filename")


def test_preflight_problems_are_one_per_item() -> None:
    found = {"t": {"a": ("integer", None), "b": ("text", None)}}
    required = {"t": {"a": "integer", "b": "json", "c": "text"}, "u": {"x": "text"}}
    assert preflight_problems(found, required) == [
        "column t.b is text, json expected",
        "column t.c is missing (text expected)",
        "table u is missing",
    ]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db.internal:5433/metrics", "app@db.internal:5433/metrics"),
        ("host=/tmp/sock dbname=x user=postgres password=pw", "postgres@/tmp/sock/x"),
    ],
)
def test_redact_never_shows_the_password(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_zoned_timestamps_are_written_as_the_utc_instant() -> None:
    micros = [1_700_000_000_000_003, None, 0]
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="Europe/Paris")),
            pa.array(micros, pa.int64()).cast(pa.timestamp("us")),
        ],
        names=["utc", "paris", "naive"],
    )
    assert csv_bytes(batch).splitlines() == [
        b'"2023-11-14 22:13:20.000003Z","2023-11-14 22:13:20.000003Z",2023-11-14 22:13:20.000003',
        b",,",
        b'"1970-01-01 00:00:00.000000Z","1970-01-01 00:00:00.000000Z",1970-01-01 00:00:00.000000',
    ]


def test_direct_tables_run_their_upserts_own_select() -> None:
    from prseed.load import direct

    for table in direct.DIRECT_TABLES:
        query, joined = direct.select_sql(table)
        assert f"stg_{table} AS s" in query and "$now" in query and "now()" not in query
        assert set(joined) <= set(direct.KEY_SCHEMAS) and "teams_team" in joined
    # A SELECT reading a table the direct path cannot provide is refused, not guessed at.
    with pytest.raises(ValueError, match="cannot provide"):
        direct.select_sql("metrics_prsurveyreview")
