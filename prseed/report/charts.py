"""From figures to charts: bins, axes, series and, with ``--against``, the older snapshot's values.

Pure functions: :class:`~prseed.report.figures.Figures` (and optionally the older ones and the
snapshot diff) in, :class:`~prseed.report.svg.Chart` descriptions out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from prseed.report.figures import Figures, quantile, week_range
from prseed.report.svg import Chart, Marker, Series, fmt_number
from prseed.snapshots import SnapshotDiff

# Bin edges (lower bounds; the last bin is open). Hours follow the units people think in.
HOUR_EDGES = (0.0, 1, 4, 12, 24, 48, 96, 168, 336, 672)
HOUR_LABELS = ("<1h", "1–4h", "4–12h", "12–24h", "1–2d", "2–4d", "4–7d", "1–2w", "2–4w", "≥4w")
LINE_EDGES = (0.0, 10, 50, 100, 250, 500, 1000, 2500, 5000)
LINE_LABELS = ("<10", "10–49", "50–99", "100–249", "250–499", "500–999", "1k–2.5k", "2.5k–5k", "≥5k")
FILE_EDGES = (0.0, 1, 2, 3, 5, 10, 20, 50, 100)
FILE_LABELS = ("0", "1", "2", "3–4", "5–9", "10–19", "20–49", "50–99", "≥100")
TOP_REVIEWERS = 15


@dataclass(frozen=True)
class Histogram:
    """Counts per bin plus the median and p90 of the values."""

    counts: list[int]
    median: float | None
    p90: float | None


def histogram(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Count values per bin; bin i holds ``edges[i] <= v < edges[i+1]`` (the last bin is open)."""
    counts = [0] * len(edges)
    for v in values:
        counts[max(0, bisect_right(edges, v) - 1)] += 1
    return counts


def bin_position(value: float, edges: Sequence[float]) -> float:
    """Where a value sits on a histogram's category axis: bin index plus the fraction inside it."""
    i = max(0, bisect_right(edges, value) - 1)
    if i + 1 >= len(edges):
        return i + 0.5
    lo, hi = edges[i], edges[i + 1]
    return i + min(1.0, max(0.0, (value - lo) / (hi - lo)))


def fmt_hours(hours: float) -> str:
    """``3.5 h`` under two days, else ``4.2 d``."""
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def _week_label(week: date, first: bool) -> str:
    return week.strftime("%b %d" if not first and week.month != 1 else "%b %d %Y").replace(" 0", " ")


def _weeks_axis(weeks: list[date]) -> tuple[list[str], list[str]]:
    labels = [_week_label(w, i == 0) for i, w in enumerate(weeks)]
    titles = [f"week of {w.isoformat()}" for w in weeks]
    return labels, titles


def weekly_prs(new: Figures, old: Figures | None) -> Chart:
    """PRs opened, merged and closed without merging per week."""
    weeks = week_range([*new.weekly, *(old.weekly if old else {})])
    labels, titles = _weeks_axis(weeks)
    names = ("opened", "merged", "closed unmerged")
    series = []
    for i, name in enumerate(names):
        values = [float(new.weekly.get(w, (0, 0, 0))[i]) for w in weeks]
        before = [float(old.weekly.get(w, (0, 0, 0))[i]) for w in weeks] if old else None
        series.append(Series(name, values, before))
    return Chart(
        key="weekly-prs",
        title="Pull requests per week",
        note=(
            "Opened by created_at, merged by merged_at, closed unmerged by closed_at "
            "(weeks start Monday, UTC)."
        ),
        categories=labels,
        category_titles=titles,
        series=series,
        empty_text="No pull requests in this snapshot.",
        extra_data={"weeks": [w.isoformat() for w in weeks]},
    )


def _duration_chart(key: str, title: str, note: str, metric: str, new: Figures, old: Figures | None) -> Chart:
    values = new.durations[metric]
    counts = histogram(values, HOUR_EDGES)
    before = histogram(old.durations[metric], HOUR_EDGES) if old else None
    markers = []
    extra: dict[str, object] = {"n": len(values)}
    for fig, is_old in ((new, False), (old, True)):
        if fig is None or metric not in fig.quantiles:
            continue
        median, p90 = fig.quantiles[metric]
        prefix = "older " if is_old else ""
        markers.append(
            Marker(bin_position(median, HOUR_EDGES), f"{prefix}median {fmt_hours(median)}", is_old)
        )
        markers.append(Marker(bin_position(p90, HOUR_EDGES), f"{prefix}p90 {fmt_hours(p90)}", is_old))
        if not is_old:
            extra["median"] = median
            extra["p90"] = p90
    return Chart(
        key=key,
        title=title,
        note=f"{note} {len(values):,} of {len(new.sizes):,} PRs.",
        categories=HOUR_LABELS,
        series=[Series("PRs", [float(c) for c in counts], [float(c) for c in before] if before else None)],
        markers=markers,
        tick_every=1,
        empty_text="No pull request has this time yet.",
        extra_data=extra,
    )


def cycle_time(new: Figures, old: Figures | None) -> Chart:
    """Distribution of cycle time (created to merged) of merged PRs."""
    return _duration_chart(
        "cycle-time",
        "Cycle time",
        "Hours from creation to merge, merged PRs only:",
        "cycle",
        new,
        old,
    )


def first_review(new: Figures, old: Figures | None) -> Chart:
    """Distribution of the time to the first review by someone other than the author."""
    return _duration_chart(
        "first-review",
        "Time to first review",
        "Hours from creation to the first submitted review by someone other than the author:",
        "first_review",
        new,
        old,
    )


def _size_chart(
    key: str,
    title: str,
    note: str,
    index: int,
    edges: Sequence[float],
    labels: Sequence[str],
    new: Figures,
    old: Figures | None,
) -> Chart:
    values = sorted(float(s[index]) for s in new.sizes)
    counts = histogram(values, edges)
    before = histogram([float(s[index]) for s in old.sizes], edges) if old else None
    markers = []
    extra: dict[str, object] = {}
    # The older snapshot's median and p90 are drawn too, as on the duration charts.
    for fig, is_old in ((new, False), (old, True)):
        drawn = values if fig is new else sorted(float(s[index]) for s in fig.sizes) if fig else []
        if not drawn:
            continue
        median, p90 = quantile(drawn, 0.5), quantile(drawn, 0.9)
        prefix = "older " if is_old else ""
        markers.append(Marker(bin_position(median, edges), f"{prefix}median {fmt_number(median)}", is_old))
        markers.append(Marker(bin_position(p90, edges), f"{prefix}p90 {fmt_number(p90)}", is_old))
        if not is_old:
            extra = {"median": median, "p90": p90}
    return Chart(
        key=key,
        title=title,
        note=note,
        categories=labels,
        series=[Series("PRs", [float(c) for c in counts], [float(c) for c in before] if before else None)],
        markers=markers,
        tick_every=1,
        empty_text="No pull requests in this snapshot.",
        extra_data=extra,
    )


def pr_lines(new: Figures, old: Figures | None) -> Chart:
    """PR size in lines changed."""
    return _size_chart(
        "pr-lines", "PR size: lines", "Additions plus deletions per PR.", 0, LINE_EDGES, LINE_LABELS, new, old
    )


def pr_files(new: Figures, old: Figures | None) -> Chart:
    """PR size in files changed."""
    return _size_chart(
        "pr-files", "PR size: files", "Files changed per PR.", 1, FILE_EDGES, FILE_LABELS, new, old
    )


def review_load(new: Figures, old: Figures | None) -> Chart:
    """PRs reviewed per reviewer, for the reviewers who reviewed most; the rest are summed in the note."""
    top = new.reviewers[:TOP_REVIEWERS]
    rest = new.reviewers[TOP_REVIEWERS:]
    names = [r for r, _, _ in top]
    before = None
    if old:
        old_prs = {r: float(p) for r, p, _ in old.reviewers}
        before = [old_prs.get(n, 0.0) for n in names]
    note = f"PRs reviewed per reviewer (submitted reviews), top {len(top)} of {len(new.reviewers)}"
    if rest:
        note += f"; the other {len(rest)} reviewed {sum(p for _, p, _ in rest):,} PRs in all"
    return Chart(
        key="review-load",
        title="Review load",
        note=note + ".",
        categories=names,
        series=[Series("PRs reviewed", [float(p) for _, p, _ in top], before)],
        horizontal=True,
        empty_text="No reviews in this snapshot.",
        extra_data={"reviews": {r: n for r, _, n in top}, "reviewers": len(new.reviewers)},
    )


def file_categories(new: Figures, old: Figures | None) -> Chart:
    """Changed files by category."""
    names = [c for c, _, _ in new.categories]
    if old:
        names += sorted({c for c, _, _ in old.categories} - set(names))
    files = {c: float(f) for c, f, _ in new.categories}
    before = {c: float(f) for c, f, _ in old.categories} if old else None
    return Chart(
        key="file-categories",
        title="File categories",
        note="Changed files per category, by the metrics app's rules (applied by the transform).",
        categories=names,
        series=[
            Series(
                "files",
                [files.get(c, 0.0) for c in names],
                [before.get(c, 0.0) for c in names] if before is not None else None,
            )
        ],
        horizontal=True,
        empty_text="No changed files in this snapshot.",
        extra_data={"changes": {c: n for c, _, n in new.categories}},
    )


def ai_share(new: Figures, old: Figures | None) -> Chart:
    """Share of the PRs created each week that the transform found AI-assisted."""
    weeks = week_range([*new.ai_weekly, *(old.ai_weekly if old else {})])
    labels, titles = _weeks_axis(weeks)

    def share(fig: Figures, w: date) -> float | None:
        prs, ai = fig.ai_weekly.get(w, (0, 0))
        return ai / prs if prs else None

    total = sum(p for p, _ in new.ai_weekly.values())
    ai_total = sum(a for _, a in new.ai_weekly.values())
    return Chart(
        key="ai-share",
        title="AI-assisted share per week",
        note=(
            f"PRs with AI signals (disclosures, co-author trailers, AI reviews or files): "
            f"{ai_total:,} of {total:,}" + (f" ({ai_total / total:.1%})." if total else ".")
        ),
        categories=labels,
        category_titles=titles,
        series=[
            Series(
                "AI-assisted",
                [share(new, w) for w in weeks],
                [share(old, w) for w in weeks] if old else None,
            )
        ],
        percent=True,
        empty_text="No pull requests in this snapshot.",
        extra_data={
            "weeks": [w.isoformat() for w in weeks],
            "counts": {w.isoformat(): list(new.ai_weekly[w]) for w in sorted(new.ai_weekly)},
        },
    )


def check_outcomes(new: Figures, old: Figures | None) -> Chart:
    """Check runs by conclusion."""
    names = [o for o, _ in new.checks]
    if old:
        names += sorted({o for o, _ in old.checks} - set(names))
    runs = dict(new.checks)
    before = dict(old.checks) if old else None
    return Chart(
        key="check-runs",
        title="Check-run outcomes",
        note="Check runs of each PR's head commit, by conclusion (or status while running).",
        categories=names,
        series=[
            Series(
                "runs",
                [float(runs.get(o, 0)) for o in names],
                [float(before.get(o, 0)) for o in names] if before is not None else None,
            )
        ],
        horizontal=True,
        empty_text="No check runs in this snapshot.",
    )


def jira_types(new: Figures, old: Figures | None) -> Chart:
    """Simulated Jira issues by type."""
    names = [t for t, _ in new.jira_types]
    if old:
        names += sorted({t for t, _ in old.jira_types} - set(names))
    issues = dict(new.jira_types)
    before = dict(old.jira_types) if old else None
    linked, prs = new.jira_linked
    return Chart(
        key="jira-types",
        title="Jira issue types (simulated)",
        note=f"Real side: {linked:,} of {prs:,} PRs carry a Jira key in their title or branch.",
        categories=names,
        series=[
            Series(
                "issues",
                [float(issues.get(t, 0)) for t in names],
                [float(before.get(t, 0)) for t in names] if before is not None else None,
                colour="#CC79A7",
            )
        ],
        horizontal=True,
        empty_text="No Jira issues simulated (no PRs).",
        extra_data={"linked_prs": linked, "prs": prs},
    )


def survey_rates(new: Figures, old: Figures | None) -> Chart:
    """Simulated survey response rates; the authors' against the project's configured rate."""
    configured = float(new.manifest["project"]["survey_response_rate"])
    names = ["PR authors", "reviewers"]
    keys = ["author", "reviewer"]

    def rate(fig: Figures, key: str) -> float | None:
        asked, answered = fig.surveys.get(key, (0, 0))
        return answered / asked if asked else None

    asked = {k: list(new.surveys.get(k, (0, 0))) for k in keys}
    return Chart(
        key="survey-rate",
        title="Survey response rate (simulated)",
        note=(
            f"Answered / asked: authors {asked['author'][1]:,}/{asked['author'][0]:,}, "
            f"reviewers {asked['reviewer'][1]:,}/{asked['reviewer'][0]:,}. Authors answer at the "
            f"project's configured rate ({configured:.0%}); reviewers at the transform's fixed rate."
        ),
        categories=names,
        series=[
            Series(
                "response rate",
                [rate(new, k) for k in keys],
                [rate(old, k) for k in keys] if old else None,
                colour="#CC79A7",
            )
        ],
        horizontal=True,
        percent=True,
        targets=[configured, None],
        target_label=f"configured rate {configured:.0%}",
        empty_text="No surveys simulated (no merged PRs by team members).",
        extra_data={"asked": asked},
    )


def ai_usage(new: Figures, old: Figures | None) -> Chart:
    """Simulated AI-usage member-days per week and tool."""
    weeks = week_range([*new.ai_usage, *(old.ai_usage if old else {})])
    labels, titles = _weeks_axis(weeks)
    tools = sorted(
        {t for per in new.ai_usage.values() for t in per}
        | ({t for per in old.ai_usage.values() for t in per} if old else set())
    )
    rate = float(new.manifest["project"]["ai_base_adoption_rate"])
    series = []
    for i, tool in enumerate(tools):
        series.append(
            Series(
                tool,
                [float(new.ai_usage.get(w, {}).get(tool, 0)) for w in weeks],
                [float(old.ai_usage.get(w, {}).get(tool, 0)) for w in weeks] if old else None,
                colour=("#CC79A7", "#E69F00", "#56B4E9", "#009E73")[i % 4],
            )
        )
    return Chart(
        key="ai-usage",
        title="AI-usage days (simulated)",
        note=(
            "Member-days with an AI-tool usage record per week, by tool; "
            f"configured adoption rate {rate:.0%}."
        ),
        categories=labels,
        category_titles=titles,
        series=series,
        stacked=True,
        empty_text="No AI usage simulated.",
        extra_data={"weeks": [w.isoformat() for w in weeks]},
    )


def diff_weekly(new: Figures, old: Figures, diff: SnapshotDiff) -> Chart:
    """What ``snapshot diff`` found, per creation week: PRs added, changed and removed."""
    counts: dict[date, list[int]] = {}
    for i, keys, fig in ((0, diff.added, new), (1, list(diff.changed), new), (2, diff.removed, old)):
        for key in keys:
            counts.setdefault(fig.pr_weeks[key], [0, 0, 0])[i] += 1
    weeks = week_range([*new.weekly, *old.weekly, *counts])
    labels, titles = _weeks_axis(weeks)
    names = ("added", "changed", "removed")
    colours = ("#009E73", "#E69F00", "#D55E00")
    return Chart(
        key="diff-weekly",
        title="What the refresh changed, per week",
        note=(
            f"{len(diff.added):,} PRs added, {len(diff.changed):,} changed, {len(diff.removed):,} removed "
            "(by creation week)."
        ),
        categories=labels,
        category_titles=titles,
        series=[
            Series(n, [float(counts.get(w, [0, 0, 0])[i]) for w in weeks], colour=colours[i])
            for i, n in enumerate(names)
        ],
        stacked=True,
        empty_text="The two snapshots hold the same pull requests.",
        extra_data={"weeks": [w.isoformat() for w in weeks]},
    )


def all_charts(new: Figures, old: Figures | None, diff: SnapshotDiff | None) -> dict[str, list[Chart]]:
    """Every chart of the report, by section."""
    sections: dict[str, list[Chart]] = {}
    if old is not None and diff is not None:
        sections["changes"] = [diff_weekly(new, old, diff)]
    sections["real"] = [
        weekly_prs(new, old),
        cycle_time(new, old),
        first_review(new, old),
        pr_lines(new, old),
        pr_files(new, old),
        review_load(new, old),
        file_categories(new, old),
        ai_share(new, old),
        check_outcomes(new, old),
    ]
    sections["simulated"] = [jira_types(new, old), survey_rates(new, old), ai_usage(new, old)]
    return sections
