"""Incremental refresh (issue 14), the pure core: which PRs to keep, refetch, add and remove.

A refresh brings a complete snapshot up to date with what a full extraction of the same options
would write now, byte for byte in the Parquet tables, while fetching only what changed:

* the *PR set* is the full extraction's: REST replays its listing (same URLs, newest created
  first); GraphQL lists PRs by ``updatedAt`` descending down to the old snapshot's high-water mark
  minus an overlap and derives the set from the old snapshot plus those PRs
  (:func:`select_updated_set`), falling back to the full number listing when that cannot be
  exact (deletions, a window reaching PRs the old snapshot never held);
* a PR of the set whose ``updated_at`` and head SHA equal the old snapshot's keeps its rows (all
  tables), copied from the old Parquet files; any other is fetched with the extract's fetchers;
* an old PR not in the set is removed, and counted by reason.

Nothing here does I/O: :mod:`extract.refresh_io` reads the old snapshot and copies rows.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from prseed.extract.rows import parse_time

#: Version of the API object -> row mapping (extract/rows.py, extract/graphql/rows.py) a snapshot
#: was written with (the manifest's ``row_layout``; absent = 1). A refresh copies rows only from
#: a snapshot of the same layout: rows of another layout would differ from a full extraction's.
#: 2: ``raw`` leaves out the fields GitHub changes without the PR's ``updated_at`` (rows.VOLATILE).
ROW_LAYOUT = 2

#: Parameters a refresh may change: the window. Any other difference makes the run a full one.
WINDOW_PARAMETERS = ("since", "until", "max_prs")

Key = tuple[str, int]


@dataclass(frozen=True)
class PrState:
    """What decides whether a PR changed, and whether it belongs to a window.

    Attributes:
        created_at: creation time (UTC).
        updated_at: GitHub's ``updated_at`` (UTC); None if GitHub gave none.
        head_sha: the head commit (REST ``head.sha``, GraphQL ``headRefOid``).
        state: ``open`` or ``closed`` (REST's meaning: merged is closed).
    """

    created_at: datetime
    updated_at: datetime | None
    head_sha: str
    state: str

    @classmethod
    def from_rest(cls, pull: Mapping[str, Any]) -> PrState:
        """From a REST listing object (or the compact record of one)."""
        created = parse_time(pull.get("created_at"))
        if created is None:
            raise ValueError(f"PR #{pull.get('number')} has no created_at")
        head = pull.get("head") or {}
        return cls(
            created, parse_time(pull.get("updated_at")), str(head.get("sha") or ""), str(pull["state"])
        )

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> PrState:
        """From a GraphQL ``PullRequest`` node with ``createdAt updatedAt headRefOid state``."""
        created = parse_time(node.get("createdAt"))
        if created is None:
            raise ValueError(f"PR #{node.get('number')} has no createdAt")
        state = "open" if str(node.get("state")) == "OPEN" else "closed"
        return cls(created, parse_time(node.get("updatedAt")), str(node.get("headRefOid") or ""), state)

    def same_version(self, other: PrState) -> bool:
        """Whether two states are the same version of a PR (its rows are then the same)."""
        return self.updated_at == other.updated_at and self.head_sha == other.head_sha


@dataclass(frozen=True)
class Window:
    """The PR window of an extraction: created days (UTC) and how many PRs per repository."""

    since: date | None
    until: date | None
    max_prs: int | None
    state: str = "all"

    def holds_day(self, day: date) -> bool:
        """Whether a PR created on ``day`` is inside the window's days."""
        return not (
            (self.since is not None and day < self.since) or (self.until is not None and day > self.until)
        )

    def holds_state(self, state: str) -> bool:
        """Whether a PR of ``state`` is listed with the window's ``--state``."""
        return self.state == "all" or self.state == state

    @classmethod
    def from_parameters(cls, params: Mapping[str, Any]) -> Window:
        """From a manifest's (or checkpoint's) ``parameters``."""

        def day(value: Any) -> date | None:
            return date.fromisoformat(str(value)) if value else None

        max_prs = params.get("max_prs")
        return cls(
            day(params.get("since")),
            day(params.get("until")),
            int(max_prs) if max_prs else None,
            str(params.get("state") or "all"),
        )


REMOVED_REASONS = ("deleted", "aged_out", "state_or_max_prs")


@dataclass
class RefreshPlan:
    """What a refresh does with each PR (keys are ``(repo, number)``, sorted).

    Attributes:
        keep: in the new set, same version as in the old snapshot: rows copied.
        refetch: in the new set and in the old snapshot, changed: fetched again.
        add: in the new set, not in the old snapshot: fetched.
        removed: old PRs not in the new set, by reason: ``deleted`` (gone from GitHub's list;
            with ``--state open|closed`` also a PR whose state no longer matches), ``aged_out``
            (created outside the new window's days), ``state_or_max_prs`` (pushed out by
            ``--max-prs``, or no longer of the ``--state`` asked for).
    """

    keep: list[Key] = field(default_factory=list)
    refetch: list[Key] = field(default_factory=list)
    add: list[Key] = field(default_factory=list)
    removed: dict[str, list[Key]] = field(default_factory=lambda: {r: [] for r in REMOVED_REASONS})

    def counts(self) -> dict[str, Any]:
        """The manifest's ``lineage.prs`` object."""
        return {
            "kept": len(self.keep),
            "refetched": len(self.refetch),
            "added": len(self.add),
            "removed": sum(len(v) for v in self.removed.values()),
            "removed_by": {r: len(self.removed[r]) for r in REMOVED_REASONS},
        }


def plan_refresh(
    old: Mapping[Key, PrState],
    new: Iterable[tuple[Key, PrState]],
    window: Window,
    known: Container[Key] | None = None,
) -> RefreshPlan:
    """Split the new PR set against the old snapshot.

    Args:
        old: the old snapshot's PRs.
        new: the new PR set (what a full extraction would list now), each with its current state.
        window: the new window (to give removed PRs a reason).
        known: PRs known to exist on GitHub (GraphQL's listings): a removed PR found here is
            not ``deleted``.

    Returns:
        The plan, every list sorted.
    """
    plan = RefreshPlan()
    seen: dict[Key, PrState] = {}
    for key, state in new:
        seen[key] = state
    for key, state in seen.items():
        before = old.get(key)
        if before is None:
            plan.add.append(key)
        elif before.same_version(state):
            plan.keep.append(key)
        else:
            plan.refetch.append(key)
    oldest: dict[str, tuple[datetime, int]] = {}
    counts: dict[str, int] = {}
    for (repo, number), state in seen.items():
        counts[repo] = counts.get(repo, 0) + 1
        mark = (state.created_at, number)
        if repo not in oldest or mark < oldest[repo]:
            oldest[repo] = mark
    for key in sorted(set(old) - set(seen)):
        state = old[key]
        repo, number = key
        if not window.holds_day(state.created_at.date()):
            reason = "aged_out"
        elif (
            window.max_prs is not None
            and counts.get(repo, 0) >= window.max_prs
            and (state.created_at, number) < oldest[repo]
        ) or (known is not None and key in known):
            reason = "state_or_max_prs"
        else:
            reason = "deleted"
        plan.removed[reason].append(key)
    plan.keep.sort()
    plan.refetch.sort()
    plan.add.sort()
    return plan


def select_updated_set(
    old: Mapping[int, PrState],
    updated: Mapping[int, PrState],
    window: Window,
    previous: Window,
    *,
    old_truncated: bool,
) -> list[tuple[int, PrState]] | None:
    """One repository's new PR set from the old snapshot and the PRs updated since (GraphQL).

    A PR not updated since the old snapshot (not in ``updated``) is as the old snapshot says; a
    PR the old snapshot does not hold and that was not updated is unknown. The full extraction's
    set is the newest-created ``window.max_prs`` PRs of the window's days and state; it is exact
    here only when no unknown PR could be part of it.

    Args:
        old: the old snapshot's PRs of the repository, by number.
        updated: every PR updated since the old snapshot (minus the overlap), by number, none
            deleted since (the caller checks the totals).
        window: the new window.
        previous: the old snapshot's window.
        old_truncated: the old snapshot holds ``previous.max_prs`` PRs of the repository, so
            older PRs of its window may exist that it does not hold.

    Returns:
        ``[(number, state)]`` newest created first, or None when the set cannot be known this way
        (the caller falls back to the full number listing).
    """
    candidates = {n: s for n, s in old.items() if n not in updated}
    candidates.update(updated)
    chosen = sorted(
        (
            (n, s)
            for n, s in candidates.items()
            if window.holds_day(s.created_at.date()) and window.holds_state(s.state)
        ),
        key=lambda item: (item[1].created_at, item[0]),
        reverse=True,
    )
    if window.max_prs is not None:
        chosen = chosen[: window.max_prs]
    # PRs created after the old window's last day that existed then are unknown unless updated.
    if previous.until is not None and (window.until is None or window.until > previous.until):
        return None
    # Below the boundary, unchanged PRs are unknown: older than the old snapshot's oldest PR when
    # --max-prs cut it, else created before its first day.
    full = window.max_prs is not None and len(chosen) == window.max_prs
    if old_truncated and old:
        boundary = min((s.created_at, n) for n, s in old.items())
        if full and (chosen[-1][1].created_at, chosen[-1][0]) >= boundary:
            return chosen
        return chosen if window.since is not None and window.since > boundary[0].date() else None
    if previous.since is None:
        return chosen
    if full and chosen[-1][1].created_at.date() >= previous.since:
        return chosen
    return chosen if window.since is not None and window.since >= previous.since else None


def incompatibility(old: Mapping[str, Any], params: Mapping[str, Any], tables_version: int) -> str | None:
    """Why an old snapshot cannot be refreshed into one of ``params`` (None: it can).

    Args:
        old: the old snapshot's manifest.
        params: the new run's data-shaping parameters (``pipeline.data_params``).
        tables_version: the schema version the new run writes.

    Returns:
        A short reason (``"it was extracted with --api rest"``...), or None.
    """
    if old.get("kind") != "prseed-snapshot" or not old.get("completed"):
        return "it is not a complete snapshot"
    if int(old.get("schema_version", 0)) != tables_version:
        return f"it has schema version {old.get('schema_version')}, this run writes {tables_version}"
    if int(old.get("row_layout", 1)) != ROW_LAYOUT:
        layout = old.get("row_layout", 1)
        return f"its rows were mapped by another prseed (row layout {layout}, now {ROW_LAYOUT})"
    before = dict(old.get("parameters") or {})
    before.setdefault("api", old.get("api", "rest"))
    changed = sorted(
        k for k in set(params) | set(before) if k not in WINDOW_PARAMETERS and params.get(k) != before.get(k)
    )
    if changed:
        said = ", ".join(f"{k} {before.get(k)!r} -> {params.get(k)!r}" for k in changed)
        return f"its options differ ({said})"
    return None


def stop_time(high_water: datetime, started_at: datetime | None, overlap_days: float) -> datetime:
    """Where GraphQL's updated-descending listing stops: PRs updated before this are unchanged.

    The high-water mark (the newest ``updated_at`` the old snapshot holds) or, if earlier, the
    old run's start, minus the overlap: a PR changed while a long run was fetching others can
    carry an ``updated_at`` below the mark; the overlap covers runs shorter than itself.
    """
    mark = high_water if started_at is None else min(high_water, started_at)
    return mark - timedelta(days=overlap_days)


def full_cost(old: Mapping[str, Any]) -> dict[str, int] | None:
    """The cost of the last full extraction in an old snapshot's history (``lineage.full_cost``).

    A snapshot written by a full extraction is its own: its manifest's PR count, requests, and
    GraphQL points or REST primary points (requests minus 304s and rate-limit checks). A
    refreshed snapshot carries its previous one's ``lineage.full_cost`` forward: its own cost
    is the refresh's, which says nothing of what a full extraction costs.

    Returns:
        ``{"prs", "requests", "points"}``, or None for a snapshot refreshed by a prseed that did
        not carry the cost forward (unknown).
    """
    lineage = old.get("lineage")
    if lineage:
        found = lineage.get("full_cost")
        return {k: int(found[k]) for k in ("prs", "requests", "points")} if found else None
    requests = old["requests"]
    points = (
        int((old.get("graphql") or {}).get("points", 0))
        if old.get("api") == "graphql"
        else (
            int(requests["total"])
            - int(requests.get("not_modified", 0))
            - int(requests["by_kind"].get("rate-limit", 0))
        )
    )
    return {
        "prs": int(old["tables"]["pull_requests"]["rows"]),
        "requests": int(requests["total"]),
        "points": points,
    }


def estimate_saved(
    cost: Mapping[str, int] | None, new_prs: int, spent_requests: int, spent_points: int
) -> dict[str, int] | None:
    """The manifest's ``lineage.saved_estimate``: what a full extraction would have cost more.

    A full extraction of the new set is estimated at the last full extraction's cost per PR
    (:func:`full_cost`) times the new PR count, minus what the refresh spent (at least 0). The
    points saved may exceed the requests saved: a refresh's 304s are requests, not points.

    Returns:
        ``{"requests", "points"}``, or None when the full extraction's cost is unknown.
    """
    if cost is None:
        return None
    prs = cost["prs"] or 1
    full_requests = round(cost["requests"] * new_prs / prs)
    full_points = round(cost["points"] * new_prs / prs)
    return {"requests": max(0, full_requests - spent_requests), "points": max(0, full_points - spent_points)}
