"""The daily insight rules (transform/sql/90_dailyinsight.sql) on small hand-made builds.

Each rule of simulation.md §3.5 gets a build that fires it and one that does not, on the
threshold's edge where the app's rule has one. The insight step reads only the build tables
(``out_*``) and ``params``, so the builds here hold just the columns it reads. Expected titles
are written out by hand from the app's wording.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
from prseed.transform.pipeline import run_files

from prseed.resources import sql_files

AS_OF = date(2025, 6, 30)  # a Monday; its 4-week window [06-02, 06-30] spans five ISO weeks


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def days_before(n: int) -> date:
    return AS_OF - timedelta(days=n)


def pr(
    number: int,
    merged: date | None,
    *,
    cycle: str = "10.00",
    revert: bool = False,
    hotfix: bool = False,
    jira: str = "ACME-1",
    author: str | None = "1",
) -> dict[str, Any]:
    return {
        "github_repo": "acme/api",
        "github_pr_id": number,
        "state": "merged" if merged else "open",
        "author_github_id": author,
        "merged_at": at(merged) if merged else None,
        "cycle_time_hours": Decimal(cycle),
        "is_revert": revert,
        "is_hotfix": hotfix,
        "jira_key": jira,
    }


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    con.execute(f"CREATE TABLE {name} ({columns})")
    data = list(rows)
    if data:
        marks = ", ".join("?" for _ in data[0])
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", data)


def insights(
    prs: list[dict[str, Any]],
    surveys: Iterable[tuple[int, bool | None, datetime | None]] = (),
    runs: Iterable[tuple[int, str, str | None]] = (),
    reviews: Iterable[tuple[int, int, str, str, datetime]] = (),
    members: Iterable[tuple[str, str]] = (),
    days_back: int = 0,
) -> list[dict[str, Any]]:
    """Run the insight step on a small build; return its rows for AS_OF (or all days)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            "CREATE TABLE params AS SELECT $as_of::DATE AS as_of, $days_back::INTEGER AS days_back,"
            " 'acme-demo' AS team_slug",
            {"as_of": AS_OF, "days_back": days_back},
        )
        _table(
            con,
            "out_metrics_pullrequest",
            "github_repo VARCHAR, github_pr_id BIGINT, state VARCHAR, author_github_id VARCHAR,"
            " merged_at TIMESTAMPTZ, cycle_time_hours DECIMAL(10, 2), is_revert BOOLEAN,"
            " is_hotfix BOOLEAN, jira_key VARCHAR",
            [tuple(p.values()) for p in prs],
        )
        _table(
            con,
            "out_metrics_prsurvey",
            "github_repo VARCHAR, github_pr_id BIGINT, author_ai_assisted BOOLEAN, author_responded_at TIMESTAMPTZ",
            [("acme/api", n, ai, answered) for n, ai, answered in surveys],
        )
        _table(
            con,
            "out_metrics_prcheckrun",
            "github_repo VARCHAR, github_pr_id BIGINT, status VARCHAR, conclusion VARCHAR",
            [("acme/api", n, status, conclusion) for n, status, conclusion in runs],
        )
        _table(
            con,
            "out_metrics_prreview",
            "github_repo VARCHAR, github_pr_id BIGINT, github_review_id BIGINT, reviewer_github_id VARCHAR,"
            " state VARCHAR, submitted_at TIMESTAMPTZ",
            [("acme/api", n, rid, who, state, when) for n, rid, who, state, when in reviews],
        )
        _table(con, "out_metrics_teammember", "github_id VARCHAR, display_name VARCHAR", members)
        files = [f for f in sql_files("prseed.transform") if f.name == "90_dailyinsight.sql"]
        run_files(con, {}, files)
        rel = con.sql("SELECT * FROM out_metrics_dailyinsight ORDER BY date, metric_type, title")
        names = rel.columns
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()


def of(rows: list[dict[str, Any]], metric_type: str, day: date = AS_OF) -> list[dict[str, Any]]:
    return [r for r in rows if r["metric_type"] == metric_type and r["date"] == day]


# --- 1. AI adoption trend: first vs last week of 4, more than 10 points -------------------------


def _adoption(first_ai: int, last_ai: int) -> list[dict[str, Any]]:
    """Four surveyed PRs in the first and in the last week, the given numbers AI-assisted."""
    prs, surveys = [], []
    for i in range(4):
        prs.append(pr(100 + i, days_before(27)))  # week of 2025-06-02
        surveys.append((100 + i, i < first_ai, at(days_before(27), 18)))
        prs.append(pr(200 + i, days_before(1)))  # week of 2025-06-23
        surveys.append((200 + i, i < last_ai, at(days_before(1), 18)))
    prs.append(pr(300, days_before(1)))  # not surveyed: does not count
    return insights(prs, surveys)


def test_ai_adoption_trend_fires_above_10_points() -> None:
    rows = of(_adoption(1, 3), "ai_adoption")  # 25 % -> 75 %
    assert [(r["title"], r["category"], r["priority"], r["comparison_period"]) for r in rows] == [
        ("AI adoption increased 50%", "trend", "medium", "4_weeks")
    ]
    assert rows[0]["description"] == "AI adoption has increased from 25% to 75% over the past 4 weeks."
    assert json.loads(rows[0]["metric_value"]) == {
        "trend": [{"week": "2025-06-02", "value": 25.0}, {"week": "2025-06-23", "value": 75.0}],
        "change": 50.0,
    }
    assert of(_adoption(3, 1), "ai_adoption")[0]["title"] == "AI adoption decreased 50%"


def test_ai_adoption_trend_does_not_fire_at_10_points_or_on_one_week() -> None:
    prs, surveys = [], []
    for i in range(10):
        prs.append(pr(100 + i, days_before(27)))
        surveys.append((100 + i, i < 2, at(days_before(27), 18)))  # 20 %
        prs.append(pr(200 + i, days_before(1)))
        surveys.append((200 + i, i < 3, at(days_before(1), 18)))  # 30 %: exactly 10 points
    assert of(insights(prs, surveys), "ai_adoption") == []
    one_week = [pr(1, days_before(1)), pr(2, days_before(1))]
    assert of(insights(one_week, [(1, True, at(days_before(1))), (2, False, None)]), "ai_adoption") == []


def test_ai_adoption_counts_only_answers_given_by_the_day() -> None:
    prs = [pr(1, days_before(27)), pr(2, days_before(1))]
    late = at(AS_OF + timedelta(days=1))  # answered after the day: not known on it
    assert of(insights(prs, [(1, False, at(days_before(27))), (2, True, late)]), "ai_adoption") == []
    answered = insights(prs, [(1, False, at(days_before(27))), (2, True, at(AS_OF, 1))])
    assert of(answered, "ai_adoption")[0]["title"] == "AI adoption increased 100%"


# --- 2. Cycle time trend: at least 20 % ---------------------------------------------------------


def test_cycle_time_trend_fires_at_20_percent() -> None:
    rows = of(
        insights([pr(1, days_before(27), cycle="10.00"), pr(2, days_before(1), cycle="12.00")]), "cycle_time"
    )
    assert [(r["title"], r["priority"]) for r in rows] == [("Cycle time regressed 20%", "high")]
    assert (
        rows[0]["description"] == "Cycle time has regressed from 10 hours to 12 hours over the past 4 weeks."
    )
    faster = of(
        insights([pr(1, days_before(27), cycle="10.00"), pr(2, days_before(1), cycle="5.00")]), "cycle_time"
    )
    assert [(r["title"], r["priority"]) for r in faster] == [("Cycle time improved 50%", "medium")]


def test_cycle_time_trend_does_not_fire_below_20_percent_or_from_zero() -> None:
    small = [pr(1, days_before(27), cycle="10.00"), pr(2, days_before(1), cycle="11.99")]
    assert of(insights(small), "cycle_time") == []
    from_zero = [pr(1, days_before(27), cycle="0.00"), pr(2, days_before(1), cycle="50.00")]
    assert of(insights(from_zero), "cycle_time") == []
    deleted_author = [
        pr(1, days_before(27), cycle="10.00"),
        pr(2, days_before(1), cycle="50.00", author=None),
    ]
    assert of(insights(deleted_author), "cycle_time") == []


# --- 3. Hotfix spike: this week at least 3x the previous 4 weeks' average ----------------------


def _hotfixes(this_week: int, before: int) -> list[dict[str, Any]]:
    prs = [pr(i, days_before(i % 7), hotfix=True) for i in range(this_week)]
    prs += [pr(100 + i, days_before(7 + i), hotfix=True) for i in range(before)]
    prs += [pr(200, days_before(40), hotfix=True)]  # older than 5 weeks: not counted
    return insights(prs)


def test_hotfix_spike_fires_at_three_times_the_average() -> None:
    rows = of(_hotfixes(3, 4), "hotfix_spike")  # 3 >= 3 x 1.0
    assert [r["title"] for r in rows] == ["Hotfix spike detected: 3 hotfixes (avg: 1.0)"]
    assert rows[0]["description"].startswith(
        "Current week has 3 hotfixes, which is 3.0x higher than the 4-week average of 1.0 hotfixes per week."
    )
    assert json.loads(rows[0]["metric_value"]) == {
        "current_week": 3,
        "previous_average": 1.0,
        "multiplier": 3.0,
    }


def test_hotfix_spike_does_not_fire_below_three_times_or_without_history() -> None:
    assert of(_hotfixes(2, 4), "hotfix_spike") == []
    assert of(insights([pr(1, AS_OF, hotfix=True)]), "hotfix_spike") == []  # average 0


# --- 4. Reverts in the last 7 days --------------------------------------------------------------


def test_revert_fires_on_any_revert_of_the_last_7_days() -> None:
    rows = of(insights([pr(1, days_before(6), revert=True)]), "revert_spike")
    assert [r["title"] for r in rows] == ["1 reverts this week - investigate quality issues"]
    assert rows[0]["description"].startswith("Detected 1 revert this week.")
    two = of(insights([pr(1, AS_OF, revert=True), pr(2, AS_OF, revert=True)]), "revert_spike")
    assert two[0]["description"].startswith("Detected 2 reverts this week.")


def test_revert_does_not_fire_for_older_or_unmerged_reverts() -> None:
    assert of(insights([pr(1, days_before(7), revert=True), pr(2, None, revert=True)]), "revert_spike") == []


# --- 5. CI failure rate above 20 % over 28 days --------------------------------------------------


def _runs(failures: int, successes: int, skipped: int = 0) -> list[tuple[int, str, str | None]]:
    runs: list[tuple[int, str, str | None]] = [(1, "completed", "failure")] * failures
    runs += [(1, "completed", "success")] * successes + [(1, "completed", "skipped")] * skipped
    return runs + [(1, "in_progress", None)] * 5  # not completed: not counted


def test_ci_failure_rate_fires_above_20_percent() -> None:
    rows = of(insights([pr(1, days_before(3), author=None)], runs=_runs(1, 3)), "ci_failure_rate")
    assert [(r["title"], r["priority"]) for r in rows] == [
        ("CI/CD failure rate at 25% (above 20% threshold)", "medium")
    ]
    assert "(1 failures out of 4 runs)" in rows[0]["description"]
    assert json.loads(rows[0]["metric_value"]) == {
        "failure_rate": 25.0,
        "total_runs": 4,
        "failure_count": 1,
        "success_count": 3,
    }
    # a skipped run is not a pass: 1 failure + 1 skipped of 5 -> 40 %
    skipped = of(insights([pr(1, days_before(3))], runs=_runs(1, 3, skipped=1)), "ci_failure_rate")
    assert skipped[0]["title"] == "CI/CD failure rate at 40% (above 20% threshold)"


def test_ci_failure_rate_does_not_fire_at_20_percent_or_for_old_prs() -> None:
    assert of(insights([pr(1, days_before(3))], runs=_runs(1, 4)), "ci_failure_rate") == []
    assert of(insights([pr(1, days_before(29))], runs=_runs(4, 0)), "ci_failure_rate") == []
    assert of(insights([pr(1, None)], runs=_runs(4, 0)), "ci_failure_rate") == []


# --- 6. Redundant reviewers: >= 95 % agreement on >= 10 PRs together ---------------------------

MEMBERS = [("11", "Ada"), ("12", "Bo"), ("13", "Cy")]


def _reviews(together: int, disagree: int, extra: int = 0) -> list[tuple[int, int, str, str, datetime]]:
    reviews = []
    for i in range(together):
        when = at(days_before(40 - i))
        reviews.append((i, 2 * i, "11", "approved", when))
        state = "changes_requested" if i < disagree else "approved"
        reviews.append((i, 2 * i + 1, "12", state, when))
    for i in range(extra):  # a later approval replaces an earlier verdict of the same reviewer
        reviews.append((i, 1000 + i, "12", "approved", at(days_before(2))))
    return reviews


def test_redundant_reviewers_fire_on_10_prs_in_agreement() -> None:
    rows = of(insights([], reviews=_reviews(10, 0), members=MEMBERS), "redundant_reviewers")
    assert [(r["title"], r["category"], r["priority"], r["comparison_period"]) for r in rows] == [
        ("Redundant reviewers: Ada & Bo agree 100% of the time", "action", "low", "all_time")
    ]
    assert rows[0]["description"].startswith(
        "Ada and Bo have reviewed 10 PRs together and agree 100% of the time."
    )
    assert json.loads(rows[0]["metric_value"]) == {
        "reviewer_1": "Ada",
        "reviewer_2": "Bo",
        "agreement_rate": 100.0,
        "prs_reviewed_together": 10,
    }
    # 19 of 20 = 95 %: still redundant; the disagreement resolved later counts as agreement
    assert of(insights([], reviews=_reviews(20, 1), members=MEMBERS), "redundant_reviewers")
    assert of(insights([], reviews=_reviews(10, 1, extra=1), members=MEMBERS), "redundant_reviewers")


def test_redundant_reviewers_do_not_fire_below_10_prs_or_95_percent_or_before_the_reviews() -> None:
    assert of(insights([], reviews=_reviews(9, 0), members=MEMBERS), "redundant_reviewers") == []
    assert of(insights([], reviews=_reviews(20, 2), members=MEMBERS), "redundant_reviewers") == []  # 90 %
    # on the days before the 10th PR reviewed together the pair is not yet redundant
    rows = insights([], reviews=_reviews(10, 0), members=MEMBERS, days_back=40)
    tenth = days_before(40 - 9)
    days = sorted({r["date"] for r in rows if r["metric_type"] == "redundant_reviewers"})
    assert days[0] == tenth and days[-1] == AS_OF and len(days) == (AS_OF - tenth).days + 1


# --- 7. Unlinked PRs: at least 5 merged PRs without a Jira key in 4 weeks ------------------------


def test_unlinked_prs_fire_at_five() -> None:
    rows = of(insights([pr(i, days_before(i * 5), jira="") for i in range(5)]), "unlinked_prs")
    assert [r["title"] for r in rows] == ["5 PRs missing Jira links - consider enforcing"]
    assert json.loads(rows[0]["metric_value"]) == {"count": 5, "lookback_weeks": 4}


def test_unlinked_prs_do_not_fire_at_four() -> None:
    prs = [pr(i, days_before(i * 5), jira="") for i in range(4)]
    prs += [pr(10, days_before(1), jira="ACME-7"), pr(11, days_before(29), jira=""), pr(12, None, jira="")]
    assert of(insights(prs), "unlinked_prs") == []


# --- every day of the window, deterministic ------------------------------------------------------


def test_insights_are_computed_for_every_day_of_the_window_as_of_that_day() -> None:
    prs = [pr(1, days_before(10), revert=True)]
    rows = insights(prs, days_back=30)
    days = [r["date"] for r in rows if r["metric_type"] == "revert_spike"]
    # the revert is seen on the 7 days from its merge day, not before it
    assert days == [days_before(10 - k) for k in range(7)]
    assert rows == insights(prs, days_back=30)
