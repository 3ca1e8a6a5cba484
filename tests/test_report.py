"""``prseed report``: the numbers behind every chart, determinism, odd snapshots, --against, CLI.

Every expected value is computed here from the Parquet files with pyarrow and plain Python, not with the
report's SQL. The page is opened in a real browser by tests/test_report_browser.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from prseed import report
from prseed.cli import cli
from prseed.contracts import dumps_manifest, validate, write_bytes_atomic, write_parquet
from prseed.errors import ConfigError
from prseed.report.charts import FILE_EDGES, HOUR_EDGES, LINE_EDGES, TOP_REVIEWERS
from tests.snapgen import GenSpec, generate_tables, manifest_for, write_snapshot

DEMO = Path(__file__).parents[1] / "snapshots" / "demo"
FIGURE = re.compile(r'<figure class="chart" id="chart-([a-z-]+)" data-values="([^"]*)">')


def make_report(snapshot: Path, tmp: Path, name: str = "report", **options: Any) -> tuple[Path, Path]:
    """Write the report of ``snapshot``; returns (page, build folder)."""
    build = tmp / f"{name}-build"
    out = tmp / f"{name}.html"
    report.run(report.ReportConfig(snapshot_dir=snapshot, build_dir=build, out=out, **options))
    return out, build


def chart_data(page: Path) -> dict[str, dict[str, Any]]:
    """The ``data-values`` of every chart on the page, by chart key."""
    text = page.read_text(encoding="utf-8")
    return {key: json.loads(html.unescape(raw)) for key, raw in FIGURE.findall(text)}


def rows(folder: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(folder / f"{table}.parquet").to_pylist()


def monday(stamp: datetime | date) -> date:
    day = stamp.date() if isinstance(stamp, datetime) else stamp
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=7 * i)).isoformat() for i in range((last - first).days // 7 + 1)]


def hours(a: datetime, b: datetime) -> float:
    """Hours from a to b, rounded half up to hundredths (the transform's documented rounding)."""
    micro = (b - a) // timedelta(microseconds=1)
    return float((Decimal(micro) / Decimal(36_000_000)).quantize(Decimal(1), ROUND_HALF_UP) / 100)


def bins(values: list[float], edges: tuple[float, ...]) -> list[float]:
    counts = [0.0] * len(edges)
    for v in values:
        i = 0
        while i + 1 < len(edges) and v >= edges[i + 1]:
            i += 1
        counts[i] += 1
    return counts


def median_p90(values: list[float]) -> tuple[float, float]:
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[8]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_report(DEMO, tmp_path_factory.mktemp("demo"))


def test_weekly_prs_match_snapshot(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    prs = rows(DEMO, "pull_requests")
    opened = Counter(monday(p["created_at"]) for p in prs)
    merged = Counter(monday(p["merged_at"]) for p in prs if p["merged_at"])
    closed = Counter(monday(p["closed_at"]) for p in prs if p["closed_at"] and not p["merged_at"])
    every = [*opened, *merged, *closed]
    weeks = weeks_between(min(every), max(every))
    data = chart_data(page)["weekly-prs"]
    assert data["weeks"] == weeks
    for name, counter in (("opened", opened), ("merged", merged), ("closed unmerged", closed)):
        assert data["series"][name] == [float(counter[date.fromisoformat(w)]) for w in weeks], name
    assert sum(data["series"]["opened"]) == len(prs) == 300


def test_durations_match_snapshot(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    prs = {(p["repo"], p["number"]): p for p in rows(DEMO, "pull_requests")}
    cycle = sorted(hours(p["created_at"], p["merged_at"]) for p in prs.values() if p["merged_at"])
    first: dict[tuple[str, int], datetime] = {}
    for r in rows(DEMO, "reviews"):
        pr = prs[(r["repo"], r["pr_number"])]
        own = r["reviewer_id"] is not None and r["reviewer_id"] == pr["author_id"]
        if r["state"].upper() == "PENDING" or own or r["submitted_at"] is None:
            continue
        key = (r["repo"], r["pr_number"])
        first[key] = min(first.get(key, r["submitted_at"]), r["submitted_at"])
    review = sorted(hours(prs[k]["created_at"], t) for k, t in first.items())
    data = chart_data(page)
    for key, values in (("cycle-time", cycle), ("first-review", review)):
        assert values, key
        assert data[key]["series"]["PRs"] == bins(values, HOUR_EDGES), key
        assert data[key]["n"] == len(values)
        median, p90 = median_p90(values)
        assert data[key]["median"] == pytest.approx(median, abs=1e-9), key
        assert data[key]["p90"] == pytest.approx(p90, abs=1e-9), key
        assert len(data[key]["markers"]) == 2


def test_pr_size_matches_snapshot(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    prs = rows(DEMO, "pull_requests")
    lines = [float(p["additions"] + p["deletions"]) for p in prs]
    files = [float(p["changed_files"]) for p in prs]
    data = chart_data(page)
    for key, values, edges in (("pr-lines", lines, LINE_EDGES), ("pr-files", files, FILE_EDGES)):
        assert data[key]["series"]["PRs"] == bins(values, edges)
        median, p90 = median_p90(sorted(values))
        assert (data[key]["median"], data[key]["p90"]) == pytest.approx((median, p90))


def test_review_load_matches_snapshot(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    prs_by: dict[str, set[tuple[str, int]]] = defaultdict(set)
    reviews_by: Counter[str] = Counter()
    for r in rows(DEMO, "reviews"):
        if r["state"].upper() == "PENDING":
            continue
        who = r["reviewer_login"] or "(deleted user)"
        prs_by[who].add((r["repo"], r["pr_number"]))
        reviews_by[who] += 1
    ranked = sorted(prs_by, key=lambda w: (-len(prs_by[w]), -reviews_by[w], w))[:TOP_REVIEWERS]
    data = chart_data(page)["review-load"]
    assert data["categories"] == ranked
    assert data["series"]["PRs reviewed"] == [float(len(prs_by[w])) for w in ranked]
    assert data["reviews"] == {w: reviews_by[w] for w in ranked}
    assert data["reviewers"] == len(prs_by)


def test_check_runs_match_snapshot(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    outcomes = Counter(c["conclusion"] or c["status"] or "unknown" for c in rows(DEMO, "check_runs"))
    data = chart_data(page)["check-runs"]
    assert dict(zip(data["categories"], data["series"]["runs"], strict=True)) == {
        k: float(v) for k, v in outcomes.items()
    }
    assert sum(data["series"]["runs"]) == 1268


def test_build_derived_and_simulated_match_build(demo: tuple[Path, Path]) -> None:
    page, build = demo
    data = chart_data(page)
    categories = Counter(f["file_category"] for f in rows(build, "metrics_prfile"))
    got = data["file-categories"]
    assert dict(zip(got["categories"], got["series"]["files"], strict=True)) == {
        k: float(v) for k, v in categories.items()
    }

    prs = rows(build, "metrics_pullrequest")
    per_week: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for p in prs:
        per_week[monday(p["pr_created_at"])][0] += 1
        per_week[monday(p["pr_created_at"])][1] += bool(p["is_ai_assisted"])
    weeks = weeks_between(min(per_week), max(per_week))
    got = data["ai-share"]
    assert got["weeks"] == weeks
    expected = []
    for w in weeks:
        n, ai = per_week.get(date.fromisoformat(w), [0, 0])
        expected.append(ai / n if n else None)
    assert got["series"]["AI-assisted"] == pytest.approx(expected)

    jira = Counter(j["issue_type"] for j in rows(build, "metrics_jiraissue"))
    got = data["jira-types"]
    assert dict(zip(got["categories"], got["series"]["issues"], strict=True)) == {
        k: float(v) for k, v in jira.items()
    }
    assert got["linked_prs"] == sum(1 for p in prs if p["jira_key"])

    surveys = rows(build, "metrics_prsurvey")
    surveyed = {(s["github_repo"], s["github_pr_id"]): s["author_github_id"] for s in surveys}
    active = {m["github_id"] for m in rows(build, "metrics_teammember") if m["is_active"]}
    asked = {
        (r["github_repo"], r["github_pr_id"], r["reviewer_github_id"])
        for r in rows(build, "metrics_prreview")
        if (r["github_repo"], r["github_pr_id"]) in surveyed
        and r["reviewer_github_id"] in active
        and r["reviewer_github_id"] != surveyed[(r["github_repo"], r["github_pr_id"])]
    }
    answered = sum(1 for s in surveys if s["author_responded_at"] is not None)
    answered_r = sum(1 for s in rows(build, "metrics_prsurveyreview") if s["responded_at"] is not None)
    got = data["survey-rate"]
    assert got["asked"] == {"author": [len(surveys), answered], "reviewer": [len(asked), answered_r]}
    assert got["series"]["response rate"] == pytest.approx([answered / len(surveys), answered_r / len(asked)])
    configured = json.loads((DEMO / "manifest.json").read_text())["project"]["survey_response_rate"]
    assert got["targets"] == [configured, None]
    # the simulation is near its rates: authors at the configured 60 %, reviewers at about 70 %
    assert abs(answered / len(surveys) - configured) < 0.1 and abs(answered_r / len(asked) - 0.7) < 0.1

    usage: dict[date, Counter[str]] = defaultdict(Counter)
    for u in rows(build, "metrics_aiusagedaily"):
        usage[monday(u["date"])][u["source"]] += 1
    got = data["ai-usage"]
    assert got["weeks"] == weeks_between(min(usage), max(usage))
    for tool in {t for c in usage.values() for t in c}:
        assert got["series"][tool] == [float(usage[date.fromisoformat(w)][tool]) for w in got["weeks"]]


def test_counts_and_extraction_cost_shown(demo: tuple[Path, Path]) -> None:
    text = demo[0].read_text(encoding="utf-8")
    manifest = json.loads((DEMO / "manifest.json").read_text())
    assert "<b>300</b><span>pull requests</span>" in text
    assert f"<b>{manifest['requests']['total']:,}</b><span>requests spent</span>" in text
    assert "prseed-demo/acme-app#367</code>: commits capped by GitHub" in text
    assert manifest["window"]["since"] in text and manifest["window"]["until"] in text
    merged = sum(1 for p in rows(DEMO, "pull_requests") if p["merged_at"])
    assert f"<b>{merged}</b><span>merged</span>" in text


def test_page_is_self_contained(demo: tuple[Path, Path]) -> None:
    text = demo[0].read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text and "url(" not in text and "@import" not in text
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}
    assert len(FIGURE.findall(text)) == 12


def test_same_snapshot_same_bytes(tmp_path: Path) -> None:
    first, build = make_report(DEMO, tmp_path, "a")
    again, _ = make_report(DEMO, tmp_path, "a")  # build now current: not transformed again
    shutil.rmtree(build)
    fresh, _ = make_report(DEMO, tmp_path, "b")
    assert first.read_bytes() == again.read_bytes() == fresh.read_bytes()
    other, _ = make_report(DEMO, tmp_path, "c", seed=7)
    assert other.read_bytes() != first.read_bytes()
    # another process with another hash seed (set and dict order) writes the same bytes
    out = tmp_path / "process.html"
    command = [sys.executable, "-c", "from prseed.cli import main; main()", "report", "demo"]
    command += ["--snapshot", str(DEMO), "--build", str(build), "--out", str(out)]
    subprocess.run(command, check=True, env={**os.environ, "PYTHONHASHSEED": "12345"}, capture_output=True)
    assert out.read_bytes() == first.read_bytes()


def write_variant(
    folder: Path, spec: GenSpec, edit: Any = None, truncated: list[dict[str, Any]] | None = None
) -> Path:
    """Write a snapgen snapshot after ``edit(tables)`` changed its Arrow tables."""
    tables = generate_tables(spec)
    if edit is not None:
        edit(tables)
    folder.mkdir(parents=True)
    # Every table generated (comments too, when the spec has them), as write_snapshot writes.
    entries = {n: write_parquet(tables[n], folder / f"{n}.parquet", "snapshot", n) for n in tables}
    manifest = manifest_for(spec, entries)
    manifest["truncated_prs"] = truncated or []
    validate(manifest, "snapshot/manifest.schema.json", str(folder))
    write_bytes_atomic(folder / "manifest.json", dumps_manifest(manifest))
    return folder


def with_262_commits(tables: dict[str, pa.Table]) -> None:
    """Give the only PR 262 commits, of which GitHub lists 250 (its cap): a truncated PR."""
    commits = tables["commits"].to_pylist()
    base = commits[0]
    listed = []
    for i in range(250):
        sha = hashlib.sha1(f"commit-{i}".encode()).hexdigest()
        raw = json.loads(base["raw"])
        raw["sha"] = sha
        listed.append({**base, "sha": sha, "message": f"step {i}", "raw": json.dumps(raw, sort_keys=True)})
    listed.sort(key=lambda c: (c["repo"], c["pr_number"], c["sha"]))
    tables["commits"] = pa.Table.from_pylist(listed, schema=tables["commits"].schema)
    prs = tables["pull_requests"].to_pylist()
    prs[0].update(commits_count=262, commits_truncated=True)
    tables["pull_requests"] = pa.Table.from_pylist(prs, schema=tables["pull_requests"].schema)


@pytest.fixture(scope="module")
def odd_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Snapshots with 0 PRs, with 1 PR, and with one PR of 262 commits."""
    root = tmp_path_factory.mktemp("odd")
    return {
        "zero-prs": write_variant(root / "zero", GenSpec(n_prs=0)),
        "one-pr": write_variant(root / "one", GenSpec(n_prs=1)),
        "262-commits": write_variant(
            root / "big",
            GenSpec(n_prs=1, repos=("acme/api",)),
            with_262_commits,
            [{"repo": "acme/api", "number": 1, "commits": True, "files": False}],
        ),
    }


@pytest.mark.parametrize("case", ["zero-prs", "one-pr", "262-commits"])
def test_odd_snapshots_render(case: str, odd_snapshots: dict[str, Path], tmp_path: Path) -> None:
    page, _ = make_report(odd_snapshots[case], tmp_path)
    text = page.read_text(encoding="utf-8")
    data = chart_data(page)
    assert len(data) == 12
    prs = len(rows(odd_snapshots[case], "pull_requests"))
    assert sum(data["weekly-prs"]["series"]["opened"]) == prs
    if case == "zero-prs":
        assert text.count('class="empty"') >= 9
        assert "No pull requests in this snapshot." in text
    if case == "262-commits":
        assert len(rows(odd_snapshots[case], "commits")) == 250
        assert "acme/api#1</code>: commits capped by GitHub" in text
        assert "<b>250</b><span>commits</span>" in text


def retitle_first_pr(tables: dict[str, pa.Table]) -> None:
    prs = tables["pull_requests"].to_pylist()
    raw = json.loads(prs[0]["raw"])
    raw["title"] = prs[0]["title"] = "Retitled after the first extraction"
    prs[0]["raw"] = json.dumps(raw, sort_keys=True)
    tables["pull_requests"] = pa.Table.from_pylist(prs, schema=tables["pull_requests"].schema)


def test_against_draws_the_diff(tmp_path: Path) -> None:
    base = GenSpec(n_prs=30)
    old = tmp_path / "old"
    new = tmp_path / "new"
    write_snapshot(old, base)
    extra = GenSpec(n_prs=4, first_number=10_000, seed=99)
    write_variant(new, GenSpec(n_prs=30, extra=(extra,)), retitle_first_pr)
    page, _ = make_report(new, tmp_path, against=old)
    data = chart_data(page)
    diff = data["diff-weekly"]
    assert sum(diff["series"]["added"]) == 4
    assert sum(diff["series"]["changed"]) == 1
    assert sum(diff["series"]["removed"]) == 0
    first = min(rows(new, "pull_requests"), key=lambda p: (p["repo"], p["number"]))
    changed_week = diff["weeks"].index(monday(first["created_at"]).isoformat())
    assert diff["series"]["changed"][changed_week] == 1
    added_weeks = Counter(
        monday(p["created_at"]).isoformat() for p in rows(new, "pull_requests") if p["number"] >= 10_000
    )
    assert {w: v for w, v in zip(diff["weeks"], diff["series"]["added"], strict=True) if v} == {
        w: float(n) for w, n in added_weeks.items()
    }
    weekly = data["weekly-prs"]
    old_opened = Counter(monday(p["created_at"]).isoformat() for p in rows(old, "pull_requests"))
    assert weekly["old"]["opened"] == [float(old_opened[w]) for w in weekly["weeks"]]
    assert sum(weekly["series"]["opened"]) == 34
    text = page.read_text(encoding="utf-8")
    assert "added (4)" in text and 'pull_requests</th><td class="n">30 → 34 (+4)' in text
    assert f"{first['repo']}#{first['number']}</code>: pull request" in text
    # the older snapshot's build is made in a temporary folder, not next to the new one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old", "report-build", "report.html"]
    # the other way round the four PRs are removed
    back, _ = make_report(old, tmp_path, "back", against=new)
    removed = chart_data(back)["diff-weekly"]["series"]
    assert (sum(removed["added"]), sum(removed["changed"]), sum(removed["removed"])) == (0, 1, 4)


def test_against_itself_changes_nothing(tmp_path: Path) -> None:
    page, _ = make_report(DEMO, tmp_path, against=DEMO)
    data = chart_data(page)
    assert not any(any(v) for v in data["diff-weekly"]["series"].values())
    assert data["weekly-prs"]["old"] == data["weekly-prs"]["series"]
    assert "Identical data." in page.read_text(encoding="utf-8")


def test_cli_writes_report_and_reports_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "page.html"
    result = runner.invoke(
        cli, ["report", "demo", "--snapshot", str(DEMO), "--build", str(tmp_path / "b"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and "12 charts" in result.output
    missing = runner.invoke(cli, ["report", "nope", "--snapshot", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2
    assert missing.output.strip().splitlines() == [
        f"prseed: error: --snapshot {tmp_path / 'nope'} is not a folder; pass a snapshot folder"
    ]
    (tmp_path / "empty").mkdir()
    no_manifest = runner.invoke(
        cli, ["report", "x", "--snapshot", str(tmp_path / "empty"), "--out", str(out)]
    )
    assert no_manifest.exit_code == 5
    assert no_manifest.output.strip().splitlines() == [
        f"prseed: error: no snapshot at {tmp_path / 'empty'} (manifest.json missing): run `prseed extract` first"
    ]
    unknown = runner.invoke(cli, ["report", "no-such-project-here"])
    assert unknown.exit_code == 2 and "unknown project 'no-such-project-here'" in unknown.output
    path = runner.invoke(cli, ["report", "../snapshots/demo"])
    assert path.exit_code == 2
    folder = runner.invoke(cli, ["report", "demo", "--snapshot", str(DEMO), "--out", str(tmp_path)])
    assert folder.exit_code != 0


def test_manifest_records_added_later_are_shown(demo: tuple[Path, Path]) -> None:
    """Records newer extractors add (refusals, redirects, repairs, GraphQL points) appear as they are."""
    from prseed.contracts import verify_dataset
    from prseed.report.figures import fetch_figures
    from prseed.report.page import render_page

    _, build = demo
    figures = fetch_figures(DEMO, verify_dataset(DEMO, "snapshot"), build, verify_dataset(build, "build"))
    manifest = {
        **figures.manifest,
        "refusals": [
            {
                "repo": "acme/api",
                "number": 7,
                "endpoint": "pulls/list-files",
                "target": "/repos/acme/api/pulls/7/files",
                "status": 422,
                "reason": "diff too large",
                "effect": "no files",
            },
            {
                "repo": "acme/api",
                "number": None,
                "endpoint": "repos/list-contributors",
                "target": "/repos/acme/api/contributors",
                "status": 403,
                "reason": "list too large",
                "effect": "authors only",
            },
        ],
        "redirects": [{"from": "acme/old", "to": "acme/new", "status": 301}],
        "unicode_repairs": 7,
        "api": "graphql",
        "graphql": {"queries": 12, "points": 4321, "nodes": 90000},
        "requests": {**figures.manifest["requests"], "by_resource": {"core": 10, "graphql": 12}},
    }
    text = render_page(dataclasses.replace(figures, manifest=manifest))
    assert "<b>2</b><span>refusals</span>" in text
    assert "<b>1</b><span>redirects</span>" in text
    assert "<b>7</b><span>unicode repairs</span>" in text
    assert "<b>4,321</b><span>graphql points</span>" in text
    assert "<h3>Refusals (2)</h3>" in text and "<td>diff too large</td><td>no files</td>" in text
    assert "<h3>Redirects (1)</h3>" in text and "<td>acme/new</td><td>301</td>" in text
    assert '<th title="graphql.nodes">graphql: nodes</th><td class="n">90,000</td>' in text
    assert '<th title="api">api</th><td class="n">graphql</td>' in text
    assert '<th title="by_resource.graphql">resource graphql</th><td class="n">12</td>' in text
    # a missing number is a dash, never null; a list of records gets a row of its own
    assert "null" not in text.split("<body>")[1].split('<section id="real"')[0]
    assert "<td>acme/api</td><td>—</td><td>repos/list-contributors</td>" in text
    assert '<div class="records"><h3>Refusals (2)</h3>' in text
    # against an older snapshot made before the api record existed: REST, not "absent"
    before_api = {k: v for k, v in figures.manifest.items() if k != "api"}
    against = render_page(
        dataclasses.replace(figures, manifest=manifest),
        dataclasses.replace(figures, manifest=before_api),
        None,
    )
    assert (
        '<th title="api">api</th><td class="n">graphql</td><td class="n">REST (not recorded)</td>' in against
    )
    assert "absent" not in against


def test_extraction_tables_read_as_words(demo: tuple[Path, Path]) -> None:
    page, _ = demo
    text = page.read_text(encoding="utf-8")
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    files_lists = manifest["requests"]["by_kind"]["pull-files"]
    pacing = manifest["waits"]["by_reason"]["pacing"]["seconds"]
    assert f'<th title="by_kind.pull-files">pull-files</th><td class="n">{files_lists:,}</td>' in text
    assert (
        f'<th title="by_reason.pacing.seconds">pacing: seconds</th><td class="n">{pacing:,.1f}</td>' in text
    )
    assert '<th title="commit_stats">commit stats</th><td class="n">yes</td>' in text


@given(st.floats(min_value=0.001, max_value=1e9), st.booleans())
@example(0.0010000000000000002, False)  # float noise once left the maximum above the top tick
def test_nice_ticks_cover_the_maximum_evenly(maximum: float, integer: bool) -> None:
    from prseed.report.svg import nice_ticks

    ticks = nice_ticks(maximum, integer=integer)
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert ticks[0] == 0 and ticks[-1] >= maximum and len(steps) == 1
    assert 2 <= len(ticks) <= 6
    if integer:
        assert all(float(t).is_integer() for t in ticks)


@given(st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=60))
def test_histogram_and_quantiles_agree_with_plain_python(values: list[float]) -> None:
    from prseed.report.charts import bin_position, histogram
    from prseed.report.figures import quantile

    ordered = sorted(values)
    assert histogram(values, HOUR_EDGES) == [int(c) for c in bins(values, HOUR_EDGES)]
    median, p90 = median_p90(ordered)
    assert quantile(ordered, 0.5) == pytest.approx(median)
    assert quantile(ordered, 0.9) == pytest.approx(p90)
    for v in values:  # a marker sits inside the bar of its value
        position = bin_position(v, HOUR_EDGES)
        counts = histogram([v], HOUR_EDGES)
        assert counts.index(1) <= position <= counts.index(1) + 1


def test_stale_or_damaged_build_is_made_again(tmp_path: Path) -> None:
    small = write_variant(tmp_path / "small", GenSpec(n_prs=3))
    larger = write_variant(tmp_path / "larger", GenSpec(n_prs=30))
    page, build = make_report(larger, tmp_path)
    assert sum(chart_data(page)["weekly-prs"]["series"]["opened"]) == 30
    make_report(small, tmp_path)  # same build folder, another snapshot of the project: made again
    assert sum(chart_data(page)["weekly-prs"]["series"]["opened"]) == 3
    with pytest.raises(ConfigError, match="holds project 'acme'"):  # another project's: refused
        make_report(DEMO, tmp_path)
    first = page.read_bytes()
    damaged = build / "metrics_pullrequest.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    result = report.run(report.ReportConfig(snapshot_dir=small, build_dir=build, out=page))
    assert result.transformed == (build,)
    assert page.read_bytes() == first


def test_cli_against_missing_snapshot_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    args = ["report", "demo", "--snapshot", str(DEMO), "--build", str(tmp_path / "b"), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--against", str(tmp_path / "gone")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"prseed: error: --against {tmp_path / 'gone'} is not a folder; pass an older snapshot folder"
    ]
    (tmp_path / "gone").mkdir()
    result = CliRunner().invoke(cli, [*args, "--against", str(tmp_path / "gone")])
    assert result.exit_code == 5
    assert result.output.strip().splitlines() == [
        f"prseed: error: no snapshot at {tmp_path / 'gone'} (manifest.json missing): run `prseed extract` first"
    ]
    assert not out.exists() and not (tmp_path / "b").exists()


def demo_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with snapshots/demo (a copy), as a user's checkout has; returns it."""
    shutil.copytree(DEMO, tmp_path / "snapshots" / "demo")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_out_never_replaces_what_is_not_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_project(tmp_path, monkeypatch)
    runner = CliRunner()
    manifest = Path("snapshots/demo/manifest.json")
    before = manifest.read_bytes()
    inside = runner.invoke(cli, ["report", "demo", "--out", str(manifest)])
    assert inside.exit_code == 2
    assert inside.output.strip().splitlines() == [
        f"prseed: error: --out {manifest} is inside the prseed snapshot {tmp_path / 'snapshots/demo'}, "
        "which writing there would corrupt; write the report outside it, e.g. --out demo.report.html"
    ]
    assert manifest.read_bytes() == before
    # a new file deeper inside the snapshot, and inside a build, are refused as well
    deeper = runner.invoke(cli, ["report", "demo", "--out", "snapshots/demo/sub/page.html"])
    assert deeper.exit_code == 2 and "inside the prseed snapshot" in deeper.output
    assert not Path("snapshots/demo/sub").exists()
    assert runner.invoke(cli, ["report", "demo"]).exit_code == 0
    in_build = runner.invoke(cli, ["report", "demo", "--out", "build/demo/page.html"])
    assert in_build.exit_code == 2 and "inside the prseed build" in in_build.output
    assert not Path("build/demo/page.html").exists()
    # a user's file is kept
    notes = Path("notes.html")
    notes.write_text("<p>my notes</p>", encoding="utf-8")
    user = runner.invoke(cli, ["report", "demo", "--out", str(notes)])
    assert user.exit_code == 2
    assert user.output.strip().splitlines() == [
        "prseed: error: --out notes.html exists and is not an earlier prseed report; move it or pass another --out"
    ]
    assert notes.read_text(encoding="utf-8") == "<p>my notes</p>"
    folder = runner.invoke(cli, ["report", "demo", "--out", "snapshots"])
    assert folder.exit_code == 2
    assert folder.output.strip().splitlines() == [
        "prseed: error: --out snapshots is a folder; give a file name such as report.html"
    ]
    # an earlier report is replaced
    page = Path("page.html")
    assert runner.invoke(cli, ["report", "demo", "--out", str(page)]).exit_code == 0
    first = page.read_bytes()
    page.write_bytes(first.replace(b"</footer>", b"edited</footer>"))
    again = runner.invoke(cli, ["report", "demo", "--out", str(page)])
    assert again.exit_code == 0, again.output
    assert page.read_bytes() == first


def test_cli_out_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_project(tmp_path, monkeypatch)
    runner = CliRunner()
    assert "- for standard output" in " ".join(runner.invoke(cli, ["report", "--help"]).output.split())
    assert runner.invoke(cli, ["report", "demo", "--out", "page.html"]).exit_code == 0
    result = runner.invoke(cli, ["report", "demo", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == Path("page.html").read_bytes()
    assert not Path("-").exists()


def test_cli_reuses_a_current_build_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_project(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(cli, ["transform", "demo"]).exit_code == 0
    build = Path("build/demo")
    stamps = {p.name: p.stat().st_mtime_ns for p in build.iterdir()}
    result = runner.invoke(cli, ["report", "demo"])
    assert result.exit_code == 0, result.output
    assert "transformed" not in result.output
    assert {p.name: p.stat().st_mtime_ns for p in build.iterdir()} == stamps
    # a given option the build was made with is current too; another one is made again
    assert "transformed" not in runner.invoke(cli, ["report", "demo", "--seed", "42"]).output
    other = runner.invoke(cli, ["report", "demo", "--seed", "7"])
    assert other.exit_code == 0 and "transformed build/demo first" in other.output
    assert json.loads((build / "manifest.json").read_text(encoding="utf-8"))["seed"] == 7


def test_cli_against_another_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo_project(tmp_path, monkeypatch)
    other = write_variant(tmp_path / "other", GenSpec(n_prs=5))
    runner = CliRunner()
    args = ["report", "demo", "--out", "page.html", "--against", str(other)]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and f"--against {other} is a snapshot of project 'acme'" in lines[0]
    assert "not of 'demo'" in lines[0] and "--any-project" in lines[0]
    assert not Path("page.html").exists()
    allowed = runner.invoke(cli, [*args, "--any-project"])
    assert allowed.exit_code == 0, allowed.output
