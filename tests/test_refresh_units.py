"""The refresh's pure core (extract/refresh.py): the plan, the GraphQL set, compatibility, savings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from graphql import parse, validate
from prseed.extract.graphql import cost
from prseed.extract.graphql import query as q
from prseed.extract.graphql.updated import updated_query
from prseed.extract.refresh import (
    ROW_LAYOUT,
    PrState,
    Window,
    estimate_saved,
    full_cost,
    incompatibility,
    plan_refresh,
    select_updated_set,
    stop_time,
)

from tests.fakegithub.graphql.schema import github_schema

T0 = datetime(2026, 6, 1, tzinfo=UTC)
R = "o/r"


def st(day: int, updated: int = 0, sha: str = "a", state: str = "closed") -> PrState:
    """A PR created on June `day` and updated `updated` hours later."""
    created = T0 + timedelta(days=day - 1)
    return PrState(created, created + timedelta(hours=updated), sha, state)


def test_plan_splits_kept_changed_new_and_removed_by_reason() -> None:
    old = {(R, 1): st(1), (R, 2): st(2), (R, 3): st(3), (R, 4): st(4), (R, 5): st(5)}
    new = [
        ((R, 2), st(2)),  # unchanged
        ((R, 3), st(3, updated=1)),  # updated
        ((R, 4), st(4, sha="b")),  # force-pushed with the same updated_at: still changed
        ((R, 6), st(6)),  # new
    ]
    plan = plan_refresh(old, new, Window(date(2026, 6, 2), None, None))
    assert plan.keep == [(R, 2)]
    assert plan.refetch == [(R, 3), (R, 4)]
    assert plan.add == [(R, 6)]
    assert plan.removed == {"deleted": [(R, 5)], "aged_out": [(R, 1)], "state_or_max_prs": []}
    assert plan.counts() == {
        "kept": 1,
        "refetched": 2,
        "added": 1,
        "removed": 2,
        "removed_by": {"deleted": 1, "aged_out": 1, "state_or_max_prs": 0},
    }


def test_plan_names_max_prs_and_known_prs_and_keeps_a_listed_twice_pr_once() -> None:
    old = {(R, n): st(n) for n in range(1, 6)}
    new = [((R, 5), st(5)), ((R, 4), st(4)), ((R, 4), st(4)), ((R, 3), st(3))]
    plan = plan_refresh(old, new, Window(None, None, 3))
    assert plan.keep == [(R, 3), (R, 4), (R, 5)]
    assert plan.removed["state_or_max_prs"] == [(R, 1), (R, 2)]
    # a PR GitHub still lists elsewhere (GraphQL's updated listing) is not deleted
    plan = plan_refresh(old, [((R, 5), st(5))], Window(None, None, None), known={(R, 4)})
    assert plan.removed["state_or_max_prs"] == [(R, 4)]
    assert plan.removed["deleted"] == [(R, 1), (R, 2), (R, 3)]


def test_updated_set_takes_old_prs_and_updated_ones_in_the_window() -> None:
    old = {n: st(n) for n in range(1, 6)}
    updated = {3: st(3, updated=5, state="open"), 7: st(7, state="open")}
    window = Window(date(2026, 6, 2), None, None)
    chosen = select_updated_set(old, updated, window, window, old_truncated=False)
    assert chosen is not None
    assert [n for n, _ in chosen] == [7, 5, 4, 3, 2]
    assert dict(chosen)[3] == updated[3]
    # --state open keeps the open ones only
    chosen = select_updated_set(
        old, updated, Window(date(2026, 6, 2), None, None, "open"), window, old_truncated=False
    )
    assert chosen is not None and [n for n, _ in chosen] == [7, 3]


def test_updated_set_is_none_where_unknown_prs_could_belong() -> None:
    old = {n: st(n) for n in range(3, 6)}  # window since June 3
    before = Window(date(2026, 6, 3), None, None)
    # the window moves earlier: PRs of June 1-2 were never held
    assert (
        select_updated_set(old, {}, Window(date(2026, 6, 1), None, None), before, old_truncated=False) is None
    )
    # later is fine
    assert select_updated_set(old, {}, Window(date(2026, 6, 4), None, None), before, old_truncated=False)
    # max_prs filled by PRs of the held days: exact even with an earlier since
    chosen = select_updated_set(old, {}, Window(date(2026, 6, 1), None, 2), before, old_truncated=False)
    assert chosen is not None and [n for n, _ in chosen] == [5, 4]
    # the old snapshot was cut by max_prs 3: more PRs needed than it holds -> unknown
    cut = Window(None, None, 3)
    assert select_updated_set(old, {}, Window(None, None, 4), cut, old_truncated=True) is None
    assert select_updated_set(old, {}, Window(None, None, 3), cut, old_truncated=True)
    # a PR closed since (in updated) leaves a hole under --state open that only older PRs fill
    opened = {n: st(n, state="open") for n in range(3, 6)}
    assert (
        select_updated_set(
            opened,
            {5: st(5, 1)},
            Window(None, None, 3, "open"),
            Window(None, None, 3, "open"),
            old_truncated=True,
        )
        is None
    )
    # until moved later: PRs created after the old until were never held
    assert (
        select_updated_set(
            old, {}, Window(None, None, None), Window(None, date(2026, 6, 5), None), old_truncated=False
        )
        is None
    )


def test_incompatibility_names_the_options_and_layout() -> None:
    params = {
        "repos": [R],
        "since": "2026-06-01",
        "until": None,
        "max_prs": 5,
        "api": "rest",
        "with_patches": False,
    }
    old = {
        "kind": "prseed-snapshot",
        "completed": True,
        "schema_version": 2,
        "row_layout": ROW_LAYOUT,
        "parameters": params,
    }
    moved = {**params, "since": "2026-06-09", "max_prs": 9}
    assert incompatibility(old, moved, 2) is None
    assert (
        incompatibility(old, {**params, "with_patches": True}, 2)
        == "its options differ (with_patches False -> True)"
    )
    assert incompatibility(old, params, 1) == "it has schema version 2, this run writes 1"
    assert "row layout 1" in str(incompatibility({**old, "row_layout": 1}, params, 2))
    assert incompatibility({**old, "completed": False}, params, 2) == "it is not a complete snapshot"


def test_stop_time_and_saved_estimate() -> None:
    mark = datetime(2026, 6, 10, tzinfo=UTC)
    assert stop_time(mark, None, 1) == mark - timedelta(days=1)
    assert stop_time(mark, mark - timedelta(hours=2), 0.5) == mark - timedelta(hours=14)
    old = {
        "api": "rest",
        "tables": {"pull_requests": {"rows": 100}},
        "requests": {"total": 1000, "not_modified": 0, "by_kind": {"rate-limit": 1}},
    }
    assert full_cost(old) == {"prs": 100, "requests": 1000, "points": 999}
    assert estimate_saved(full_cost(old), 110, 60, 50) == {"requests": 1040, "points": 1049}
    gql = {**old, "api": "graphql", "graphql": {"points": 12}}
    assert estimate_saved(full_cost(gql), 100, 3, 1) == {"requests": 997, "points": 11}
    # a refreshed snapshot: its own (tiny) cost is not a full extraction's; its lineage carries that
    refreshed = {**old, "requests": {"total": 12, "not_modified": 11, "by_kind": {"rate-limit": 1}}}
    carried = {"prs": 100, "requests": 3000, "points": 2900}
    assert full_cost({**refreshed, "lineage": {"full_cost": carried}}) == carried
    assert estimate_saved(full_cost({**refreshed, "lineage": {"full_cost": carried}}), 100, 98, 97) == {
        "requests": 2902,
        "points": 2803,
    }
    assert full_cost({**refreshed, "lineage": {"mode": "refresh"}}) is None
    assert estimate_saved(None, 100, 98, 97) is None


@pytest.mark.parametrize(
    "text",
    [
        q.list_query("all", totals=True),
        q.list_query("open", totals=True),
        updated_query(True),
        updated_query(False),
    ],
    ids=["list-totals-all", "list-totals-open", "updated-first", "updated-next"],
)
def test_refresh_queries_validate_and_cost_one_point(text: str) -> None:
    assert [e.message for e in validate(github_schema(), parse(text))] == []
    c = cost.query_cost(text, {"owner": "o", "name": "r", "after": None})
    # The totals' one-node connection keeps a 100-PR page at 1 point.
    assert c.points == 1 and c.nodes <= cost.NODE_LIMIT
