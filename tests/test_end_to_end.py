"""The whole pipeline driven through the CLI, as a user runs it.

Fake GitHub (real HTTP) -> `prseed extract` -> `prseed transform` -> `prseed load` into a real
PostgreSQL -> the queries a dashboard runs, checked against values computed independently from
the fake server's generated repository (not from prseed's own output).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.conftest import _create_database, _drop_database
from tests.fakegithub import FakeGitHub, generate_repo
from tests.fakegithub.generate import AI_POSITIVE

TOKEN = "fake-e2e-token-0123456789abcdefABCDEF"
REPO = "acme-e2e/shop"
SINCE, UNTIL = "2026-05-01", "2026-11-01"


def prseed(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess and fail loudly on a non-zero exit."""
    proc = subprocess.run(
        [sys.executable, "-c", "from prseed.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"prseed {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def monday(d: datetime) -> date:
    day = d.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@pytest.fixture(scope="module")
def generated():
    return generate_repo(REPO, n_prs=60, seed=23, anchor=UNTIL)


@pytest.fixture(scope="module")
def pg_url(pg_admin_url: str):
    """One database for the module: the pipeline runs once and every test queries it."""
    name, url = _create_database(pg_admin_url)
    yield url
    _drop_database(pg_admin_url, name)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, generated, pg_url: str):
    tmp_path = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "DATABASE_URL": pg_url}
    env.pop("GITHUB_SEEDING_TOKENS", None)
    with FakeGitHub(repos=[generated], tokens={TOKEN}) as gh:
        out = prseed(
            "extract",
            "--repo",
            REPO,
            "--api-url",
            gh.url,
            "--since",
            SINCE,
            "--until",
            UNTIL,
            "--out",
            "snapshots/e2e",
            "--batch-delay",
            "0",
            "--quiet",
            cwd=tmp_path,
            env=env,
        )
        violations = gh.stats.violations
    transform = prseed("transform", "e2e", "--as-of", UNTIL, cwd=tmp_path, env=env)
    # An external database (DATABASE_URL) gets its tables from `db init`; load only preflights it.
    prseed("db", "init", cwd=tmp_path, env=env)
    load = prseed("load", "e2e", "--as-of", UNTIL, cwd=tmp_path, env=env)
    return {
        "extract": out,
        "transform": transform,
        "load": load,
        "violations": violations,
        "dir": tmp_path,
        "env": env,
    }


def in_window(pr: dict) -> bool:
    created = ts(pr["created_at"]).date()
    return date.fromisoformat(SINCE) <= created <= date.fromisoformat(UNTIL)


def test_pipeline_through_the_cli_answers_dashboard_queries(loaded, generated, pg_url):
    assert loaded["violations"] == 0
    assert "snapshot written" in loaded["extract"].stdout + loaded["extract"].stderr
    for output in (loaded["extract"], loaded["transform"], loaded["load"]):
        assert TOKEN not in output.stdout + output.stderr
    for path in loaded["dir"].rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path

    prs = [p for p in generated.pulls if in_window(p)]
    merged = [p for p in prs if p["merged_at"]]
    assert len(merged) > 20

    with psycopg.connect(pg_url) as conn:
        # 1. PRs merged per week.
        got_weeks = dict(
            conn.execute(
                """SELECT date_trunc('week', merged_at AT TIME ZONE 'UTC')::date, count(*)
               FROM metrics_pullrequest WHERE state = 'merged' GROUP BY 1"""
            ).fetchall()
        )
        assert got_weeks == dict(Counter(monday(ts(p["merged_at"])) for p in merged))

        # 2. Median cycle time (hours, 2 decimals as stored).
        got_median = conn.execute(
            """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY cycle_time_hours)
               FROM metrics_pullrequest WHERE state = 'merged'"""
        ).fetchone()[0]
        hours = [
            round(Decimal((ts(p["merged_at"]) - ts(p["created_at"])).total_seconds()) / 3600, 2)
            for p in merged
        ]
        assert Decimal(str(got_median)).quantize(Decimal("0.001")) == Decimal(
            str(statistics.median(hours))
        ).quantize(Decimal("0.001"))

        # 3. AI-assisted share of merged PRs: the generator planted the disclosures it knows.
        got_ai = conn.execute(
            "SELECT count(*) FILTER (WHERE is_ai_assisted), count(*) FROM metrics_pullrequest "
            "WHERE state = 'merged'"
        ).fetchone()
        planted = sum(1 for p in merged if any(s in (p["body"] or "") for s in AI_POSITIVE))
        assert got_ai == (planted, len(merged))
        assert planted > 0

        # 4. Review load per reviewer (submitted reviews; pending drafts are not reviews).
        got_load = dict(
            conn.execute(
                """SELECT m.github_username, count(*)
               FROM metrics_prreview r JOIN metrics_teammember m ON m.id = r.reviewer_id
               GROUP BY 1"""
            ).fetchall()
        )
        want_load = Counter(
            r["user"]["login"]
            for p in prs
            for r in generated.reviews[p["number"]]
            if r["user"] is not None and r["state"] != "PENDING"
        )
        assert got_load == dict(want_load)

        # Every PR of the window arrived, with its author when the account still exists.
        got_prs = conn.execute(
            """SELECT p.github_pr_id, m.github_username FROM metrics_pullrequest p
               LEFT JOIN metrics_teammember m ON m.id = p.author_id"""
        ).fetchall()
        assert sorted(got_prs) == sorted(
            (p["number"], p["user"]["login"] if p["user"] else None) for p in prs
        )

        # 5. Comments, extracted by default: every comment of the fake's PRs of the window, by
        # kind, and each PR's total_comments filled (its comments + its reviews with a body).
        got_comments = conn.execute(
            """SELECT c.comment_type, c.github_comment_id, p.github_pr_id FROM metrics_prcomment c
               JOIN metrics_pullrequest p ON p.id = c.pull_request_id"""
        ).fetchall()
        want_comments = [
            (kind, c["id"], p["number"])
            for p in prs
            for kind, source in (("review", generated.review_comments), ("issue", generated.issue_comments))
            for c in source.get(p["number"], [])
        ]
        assert want_comments, "the generated repository has comments"
        assert sorted(got_comments) == sorted(want_comments)
        totals = dict(conn.execute("SELECT github_pr_id, total_comments FROM metrics_pullrequest").fetchall())
        assert totals == {
            p["number"]: len(generated.review_comments.get(p["number"], []))
            + len(generated.issue_comments.get(p["number"], []))
            + sum(1 for r in generated.reviews[p["number"]] if r["state"] != "PENDING" and r["body"])
            for p in prs
        }


def test_reload_changes_nothing_and_seed_command_works(loaded, pg_url):
    env = loaded["env"]
    with psycopg.connect(pg_url) as conn:
        before = conn.execute("SELECT count(*), max(updated_at) FROM metrics_pullrequest").fetchone()
    # seed moves the dates to this week by default; unshifted, it finds the build current
    again = prseed("seed", "--shift-to", "none", cwd=loaded["dir"], env=env)
    assert "psql" in again.stdout + again.stderr
    with psycopg.connect(pg_url) as conn:
        after = conn.execute("SELECT count(*), max(updated_at) FROM metrics_pullrequest").fetchone()
    assert before == after
