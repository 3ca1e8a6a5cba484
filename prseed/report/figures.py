"""The numbers behind the report, read from one snapshot and its build with DuckDB.

Real values (weekly PRs, sizes, review load, check runs) come from the snapshot's Parquet tables;
derived and simulated ones (cycle and review times, file categories, AI assistance, Jira issues,
surveys, AI usage) from the transform's build of that snapshot, so the report shows what ``prseed load``
would write. The SQL is in ``prseed/report/sql/``; this module binds the file paths and shapes the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from prseed.resources import read_text

MEMORY_LIMIT = "1GB"
THREADS = 2
SNAPSHOT_VIEWS = ("pull_requests", "reviews", "check_runs", "contributors")
BUILD_VIEWS = (
    "metrics_pullrequest",
    "metrics_prfile",
    "metrics_jiraissue",
    "metrics_prsurvey",
    "metrics_prsurveyreview",
    "metrics_aiusagedaily",
    "metrics_prreview",
    "metrics_teammember",
)


@dataclass(frozen=True)
class Figures:
    """Everything the charts of one snapshot need.

    Attributes:
        manifest: the snapshot manifest.
        build: the build manifest (seed, as-of, rows).
        states: PR counts ``{"merged", "closed", "open", "authors"}``.
        weekly: ``{monday: (opened, merged, closed)}``.
        durations: sorted hours per metric, ``{"cycle": [...], "first_review": [...]}``.
        quantiles: ``{metric: (median, p90)}`` (linear interpolation), absent when no value.
        sizes: ``(lines, files)`` per PR.
        reviewers: ``(login, PRs reviewed, reviews)``, most PRs first.
        categories: ``(category, files, lines changed)``, most files first.
        ai_weekly: ``{monday: (PRs created, AI-assisted)}``.
        checks: ``(outcome, runs)``, most runs first.
        jira_types: ``(issue type, issues)``, most first.
        jira_linked: ``(PRs with a Jira key, PRs)``.
        surveys: ``{"author" | "reviewer": (asked, answered)}``.
        ai_usage: ``{monday: {tool: member-days}}``.
        pr_weeks: ``{(repo, number): monday}`` of every PR's creation.
    """

    manifest: dict[str, Any]
    build: dict[str, Any]
    states: dict[str, int]
    weekly: dict[date, tuple[int, int, int]]
    durations: dict[str, list[float]]
    quantiles: dict[str, tuple[float, float]]
    sizes: list[tuple[int, int]]
    reviewers: list[tuple[str, int, int]]
    categories: list[tuple[str, int, int]]
    ai_weekly: dict[date, tuple[int, int]]
    checks: list[tuple[str, int]]
    jira_types: list[tuple[str, int]]
    jira_linked: tuple[int, int]
    surveys: dict[str, tuple[int, int]]
    ai_usage: dict[date, dict[str, int]]
    pr_weeks: dict[tuple[str, int], date]


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (numpy's default, DuckDB's ``quantile_cont``).

    Raises:
        ValueError: when there are no values.
    """
    if not sorted_values:
        raise ValueError("quantile of no values")
    pos = (len(sorted_values) - 1) * q
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def week_range(weeks: Sequence[date]) -> list[date]:
    """Every Monday from the first to the last of ``weeks`` (empty in, empty out)."""
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]


def fetch_figures(
    snapshot_dir: Path, snapshot: dict[str, Any], build_dir: Path, build: dict[str, Any]
) -> Figures:
    """Read the figures of one verified snapshot and its build.

    Args:
        snapshot_dir: the snapshot folder.
        snapshot: its verified manifest.
        build_dir: the build folder made from it.
        build: the build's verified manifest.
    """
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        # the machine is shared and every query here is a small aggregate: bound DuckDB as the
        # transform does, so that a bad plan fails instead of taking the memory of its neighbours
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET threads = {THREADS}")
        for name in SNAPSHOT_VIEWS:
            path = str(snapshot_dir / snapshot["tables"][name]["file"])
            con.execute(f"SET VARIABLE s_{name} = ?", [path])
        for name in BUILD_VIEWS:
            path = str(build_dir / build["tables"][name]["file"])
            con.execute(f"SET VARIABLE b_{name} = ?", [path])
        for statement in _statements("views.sql"):
            con.execute(statement)

        def rows(name: str) -> list[tuple[Any, ...]]:
            return con.execute(_sql(name)).fetchall()

        merged, closed, open_, authors = rows("pr_states.sql")[0]
        durations: dict[str, list[float]] = {"cycle": [], "first_review": []}
        for metric, hours in rows("durations.sql"):
            durations[metric].append(float(hours))
        usage: dict[date, dict[str, int]] = {}
        for week, source, days in rows("ai_usage.sql"):
            usage.setdefault(week, {})[source] = days
        linked, prs = rows("jira_linked.sql")[0]
        return Figures(
            manifest=snapshot,
            build=build,
            states={"merged": merged, "closed": closed, "open": open_, "authors": authors},
            weekly={week: (o, m, c) for week, o, m, c in rows("weekly_prs.sql")},
            durations=durations,
            quantiles={k: (quantile(v, 0.5), quantile(v, 0.9)) for k, v in durations.items() if v},
            sizes=[(int(lines), int(files)) for lines, files in rows("sizes.sql")],
            reviewers=[(r, p, n) for r, p, n in rows("reviewers.sql")],
            categories=[(c, f, int(n or 0)) for c, f, n in rows("categories.sql")],
            ai_weekly={week: (p, a) for week, p, a in rows("ai_weekly.sql")},
            checks=[(o, n) for o, n in rows("checks.sql")],
            jira_types=[(t, n) for t, n in rows("jira.sql")],
            jira_linked=(int(linked or 0), int(prs or 0)),
            surveys={who: (sent, answered) for who, sent, answered in rows("surveys.sql")},
            ai_usage=usage,
            pr_weeks={(repo, number): week for repo, number, week in rows("pr_weeks.sql")},
        )
    finally:
        con.close()


def _sql(name: str) -> str:
    return read_text("prseed.report", "sql", name)


def _statements(name: str) -> list[str]:
    chunks = (chunk.strip() for chunk in _sql(name).split(";\n"))
    return [
        c
        for c in chunks
        if any(line.strip() and not line.strip().startswith("--") for line in c.splitlines())
    ]
