"""Write contract-valid build folders directly, for the load tests and benchmark.

Deterministic (values are arithmetic on row indexes, no random stream, no clock) and vectorised
with pyarrow.compute, so a 100,000-PR build (about 1.7 million rows) takes seconds.

``version`` makes a "newer build": version 1 changes the title of every 10th PR, the state of
every 50th review and adds 5% more PRs (with their children).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from prseed.contracts import (
    BUILD_SCHEMA_VERSION,
    BUILD_TABLES,
    arrow_schema,
    dumps_manifest,
    table_key,
    write_bytes_atomic,
    write_parquet,
)

REPOS = ("acme/app", "acme/lib")
BASE_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z
HOUR_US = 3_600_000_000
BASE_DAY = 20_089  # 2025-01-01 as days since the epoch


def _idx(n: int) -> pa.Array:
    return pa.array(range(n), pa.int64())


def _mod(a: pa.Array, m: int) -> pa.Array:
    return pc.subtract(a, pc.multiply(pc.divide(a, m), m))


def _mix(a: pa.Array, salt: int) -> pa.Array:
    """A cheap deterministic scramble of non-negative ints into [0, 2**31)."""
    x = pc.bit_wise_and(pc.multiply(pc.add(a, salt), 2_654_435_761), 0x7FFFFFFF)
    return pc.bit_wise_xor(x, pc.shift_right(x, 13))


def _str(a: pa.Array) -> pa.Array:
    return pc.cast(a, pa.string())


def _cat(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _ts(hours: pa.Array) -> pa.Array:
    return pc.cast(pc.add(pc.multiply(hours, HOUR_US), BASE_US), pa.timestamp("us", tz="UTC"))


def _dec(a: pa.Array, divisor: float, precision: int, scale: int) -> pa.Array:
    return pc.cast(
        pc.round(pc.divide(pc.cast(a, pa.float64()), divisor), scale),
        pa.decimal128(precision, scale),
    )


def _const(value: Any, n: int, type_: pa.DataType | None = None) -> pa.Array:
    return pa.array([value] * n, type_) if n < 1000 else pa.repeat(pa.scalar(value, type_), n)


def _pick(choice: pa.Array, values: list[Any], type_: pa.DataType) -> pa.Array:
    return pc.take(pa.array(values, type_), _mod(choice, len(values)))


def make_tables(
    n_prs: int,
    *,
    team_slug: str = "acme-demo",
    team_name: str = "Acme",
    n_members: int | None = None,
    version: int = 0,
) -> dict[str, pa.Table]:
    """Generate every build table for one team.

    Args:
        n_prs: pull requests (before the 5% a version-1 build adds).
        team_slug: teams_team.slug.
        team_name: teams_team.name.
        n_members: members (default n_prs // 200, at least 5).
        version: 0 for a first build, 1 for a newer one.

    Returns:
        Tables by build table name, sorted by their keys.
    """
    m = n_members or max(5, n_prs // 200)
    n = n_prs + (n_prs // 20 if version else 0)
    slug = team_slug
    out: dict[str, pa.Table] = {}

    out["teams_team"] = pa.table({"slug": [slug], "name": [team_name]})

    mi = _idx(m)
    member_ids = _str(pc.add(mi, 1001))
    logins = _cat("user", _str(mi))
    out["metrics_teammember"] = pa.table(
        {
            "team_slug": _const(slug, m),
            "github_id": member_ids,
            "github_username": logins,
            "display_name": _cat("User ", _str(mi)),
            "email": _cat(logins, "@example.com"),
            "jira_account_id": _cat("jira-", member_ids),
            "slack_user_id": _cat("U", pc.utf8_lpad(member_ids, width=8, padding="0")),
            "role": pc.if_else(pc.equal(mi, 0), "lead", "developer"),
            "is_active": _const(True, m),
        }
    )

    # Pull requests: number i+1 in repo i % 2, author from a scramble of i.
    i = _idx(n)
    repo = _pick(i, list(REPOS), pa.string())
    number = pc.add(pc.divide(i, 2), 1)
    h = _mix(i, 1)
    author = pc.take(member_ids, _mod(h, m))
    state = _pick(_mix(i, 2), ["merged", "merged", "merged", "open", "closed"], pa.string())
    merged = pc.equal(state, "merged")
    created_h = pc.multiply(i, 1)
    cycle = pc.add(_mod(h, 96), 1)
    review_h = pc.add(_mod(_mix(i, 3), 24), 1)
    title = _cat("Fix issue ", _str(i), " in ", repo)
    if version:
        title = pc.if_else(pc.equal(_mod(i, 10), 0), _cat(title, " (v2)"), title)
    jira = pc.if_else(pc.equal(_mod(i, 2), 0), _cat("ACME-", _str(pc.add(pc.divide(i, 2), 1))), "")
    ai = pc.equal(_mod(_mix(i, 4), 3), 0)
    out["metrics_pullrequest"] = pa.table(
        {
            "team_slug": _const(slug, n),
            "github_repo": repo,
            "github_pr_id": number,
            "title": title,
            "body": _cat("This change fixes a bug found while testing build ", _str(h), "."),
            "author_github_id": author,
            "state": state,
            "pr_created_at": _ts(created_h),
            "merged_at": pc.if_else(merged, _ts(pc.add(created_h, cycle)), None),
            "first_review_at": _ts(pc.add(created_h, review_h)),
            "cycle_time_hours": pc.if_else(merged, _dec(cycle, 1, 10, 2), None),
            "review_time_hours": _dec(review_h, 1, 10, 2),
            "review_rounds": pa.nulls(n, pa.int32()),
            "avg_fix_response_hours": pa.nulls(n, pa.decimal128(10, 2)),
            "commits_after_first_review": pa.nulls(n, pa.int32()),
            "total_comments": pa.nulls(n, pa.int32()),
            "additions": pc.cast(_mod(h, 500), pa.int32()),
            "deletions": pc.cast(_mod(_mix(i, 5), 200), pa.int32()),
            "is_revert": pc.equal(_mod(_mix(i, 6), 20), 0),
            "is_hotfix": pc.equal(_mod(_mix(i, 7), 10), 0),
            "is_draft": _const(False, n),
            "labels": _pick(h, ['["bug"]', "[]", '["feature", "ui"]'], pa.string()),
            "milestone_title": _const("", n),
            "assignees": pc.if_else(pc.equal(_mod(i, 3), 0), _cat('["', author, '"]'), "[]"),
            "linked_issues": _const("[]", n),
            "is_ai_assisted": ai,
            "ai_tools_detected": pc.if_else(ai, '["claude"]', "[]"),
            "ai_detection_version": _const("", n),
            "has_ai_commits": _const(False, n),
            "has_ai_review": _const(False, n),
            "has_ai_files": _const(False, n),
            "ai_confidence_score": pa.nulls(n, pa.decimal128(4, 3)),
            "ai_signals": _const("{}", n),
            "jira_key": jira,
        }
    )

    def child(per_pr: int) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
        k = _idx(n * per_pr)
        pr = pc.divide(k, per_pr)
        return k, pr, pc.take(repo, pr), pc.take(number, pr)

    k, pr, crepo, cnum = child(2)
    reviewer = pc.take(member_ids, _mod(pc.add(_mod(pc.take(h, pr), m), pc.add(_mod(k, 2), 1)), m))
    rstate = _pick(_mix(k, 8), ["approved", "commented", "changes_requested"], pa.string())
    if version:
        rstate = pc.if_else(pc.equal(_mod(k, 50), 0), "dismissed", rstate)
    out["metrics_prreview"] = pa.table(
        {
            "team_slug": _const(slug, len(k)),
            "github_repo": crepo,
            "github_pr_id": cnum,
            "github_review_id": pc.add(k, 5_000_000),
            "reviewer_github_id": reviewer,
            "state": rstate,
            "body": pc.if_else(pc.equal(_mod(k, 4), 0), "LGTM", ""),
            "submitted_at": _ts(pc.add(pr, pc.add(_mod(k, 2), 1))),
            "is_ai_review": _const(False, len(k)),
            "ai_reviewer_type": _const("", len(k)),
        }
    )

    # Comments: two per PR, a review comment (with a reply to the previous one on every 3rd PR)
    # and a conversation comment; a version-1 build edits every 10th body.
    k, pr, crepo, cnum = child(2)
    is_review = pc.equal(_mod(k, 2), 0)
    body = _cat("Comment ", _str(k))
    if version:
        body = pc.if_else(pc.equal(_mod(k, 10), 0), _cat(body, " (edited)"), body)
    null_str, null_int = pa.scalar(None, pa.string()), pa.scalar(None, pa.int32())
    out["metrics_prcomment"] = pa.table(
        {
            "team_slug": _const(slug, len(k)),
            "github_comment_id": pc.add(k, 7_000_000),
            "github_repo": crepo,
            "github_pr_id": cnum,
            "author_github_id": pc.take(member_ids, _mod(pc.add(pc.take(h, pr), k), m)),
            "body": body,
            "comment_type": pc.if_else(is_review, "review", "issue"),
            "path": pc.if_else(is_review, _cat("src/module", _str(_mod(k, 5)), ".py"), null_str),
            "line": pc.if_else(is_review, pc.cast(pc.add(_mod(k, 90), 1), pa.int32()), null_int),
            "in_reply_to_id": pc.if_else(
                pc.and_(is_review, pc.equal(_mod(pr, 3), 0)),
                pc.add(k, 6_999_998),
                pa.scalar(None, pa.int64()),
            ),
            "comment_created_at": _ts(pc.add(pr, 1)),
            "comment_updated_at": _ts(pc.add(pr, 2)),
        }
    )

    k, pr, crepo, cnum = child(3)
    out["metrics_commit"] = pa.table(
        {
            "team_slug": _const(slug, len(k)),
            "github_sha": pc.utf8_lpad(_str(k), width=40, padding="0"),
            "github_repo": crepo,
            "github_pr_id": cnum,
            "author_github_id": pc.take(author, pr),
            "message": _cat("Commit ", _str(k), ": update code"),
            "committed_at": _ts(pr),
            "additions": pc.cast(_mod(_mix(k, 9), 100), pa.int32()),
            "deletions": pc.cast(_mod(_mix(k, 10), 50), pa.int32()),
            "is_ai_assisted": _const(False, len(k)),
            "ai_co_authors": _const("[]", len(k)),
        }
    )

    k, pr, crepo, cnum = child(5)
    adds = pc.cast(_mod(_mix(k, 11), 80), pa.int32())
    dels = pc.cast(_mod(_mix(k, 12), 40), pa.int32())
    out["metrics_prfile"] = pa.table(
        {
            "team_slug": _const(slug, len(k)),
            "github_repo": crepo,
            "github_pr_id": cnum,
            "filename": _cat("src/module", _str(_mod(k, 5)), "/file", _str(pr), ".py"),
            "status": _pick(_mix(k, 13), ["modified", "modified", "added", "removed"], pa.string()),
            "additions": adds,
            "deletions": dels,
            "changes": pc.add(adds, dels),
            "file_category": _const("backend", len(k)),
        }
    )

    k, pr, crepo, cnum = child(3)
    started = _ts(pr)
    out["metrics_prcheckrun"] = pa.table(
        {
            "team_slug": _const(slug, len(k)),
            "github_repo": crepo,
            "github_pr_id": cnum,
            "github_check_run_id": pc.add(k, 9_000_000),
            "name": _pick(k, ["test", "lint", "build"], pa.string()),
            "status": _const("completed", len(k)),
            "conclusion": _pick(_mix(k, 14), ["success", "success", "failure"], pa.string()),
            "started_at": started,
            "completed_at": started,
            "duration_seconds": pc.cast(_mod(_mix(k, 15), 600), pa.int32()),
        }
    )

    has_jira = pc.not_equal(jira, "")
    ji = pc.indices_nonzero(has_jira)
    nj = len(ji)
    jkey = pc.take(jira, ji)
    out["metrics_jiraissue"] = pa.table(
        {
            "team_slug": _const(slug, nj),
            "jira_key": jkey,
            "jira_id": _str(pc.add(pc.cast(ji, pa.int64()), 10_000)),
            "summary": pc.take(title, ji),
            "issue_type": _pick(pc.cast(ji, pa.int64()), ["Story", "Task", "Bug"], pa.string()),
            "status": pc.if_else(pc.take(merged, ji), "Done", "In Progress"),
            "description": _const("", nj),
            "labels": _const("[]", nj),
            "priority": _const("", nj),
            "parent_issue_key": _const("", nj),
            "assignee_github_id": pc.take(author, ji),
            "story_points": _pick(pc.cast(ji, pa.int64()), ["1", "2", "3", "5", "8"], pa.string()).cast(
                pa.decimal128(5, 1)
            ),
            "sprint_id": _str(pc.add(pc.divide(pc.cast(ji, pa.int64()), 336), 1)),
            "sprint_name": _cat("Sprint ", _str(pc.add(pc.divide(pc.cast(ji, pa.int64()), 336), 1))),
            "issue_created_at": pc.take(_ts(created_h), ji),
            "resolved_at": pc.take(pc.if_else(merged, _ts(pc.add(created_h, cycle)), None), ji),
            "cycle_time_hours": pc.take(pc.if_else(merged, _dec(cycle, 1, 10, 2), None), ji),
        }
    )

    surveyed = pc.and_(merged, pc.equal(_mod(i, 3), 0))
    si = pc.cast(pc.indices_nonzero(surveyed), pa.int64())
    ns = len(si)
    responded = pc.equal(_mod(si, 2), 0)
    s_created = pc.add(pc.take(created_h, si), pc.take(cycle, si))
    out["metrics_prsurvey"] = pa.table(
        {
            "team_slug": _const(slug, ns),
            "github_repo": pc.take(repo, si),
            "github_pr_id": pc.take(number, si),
            "author_github_id": pc.take(author, si),
            "author_ai_assisted": pc.if_else(responded, pc.take(ai, si), None),
            "author_responded_at": pc.if_else(responded, _ts(pc.add(s_created, 2)), None),
            "author_response_source": pa.nulls(ns, pa.string()),
            "ai_modification_effort": pa.nulls(ns, pa.string()),
            "survey_created_at": _ts(s_created),
        }
    )
    s_reviewer = pc.take(member_ids, _mod(pc.add(_mod(pc.take(h, si), m), 1), m))
    out["metrics_prsurveyreview"] = pa.table(
        {
            "team_slug": _const(slug, ns),
            "github_repo": pc.take(repo, si),
            "github_pr_id": pc.take(number, si),
            "reviewer_github_id": s_reviewer,
            "quality_rating": pc.cast(pc.add(_mod(si, 3), 1), pa.int32()),
            "ai_guess": pc.equal(_mod(si, 4), 0),
            "guess_correct": pc.if_else(responded, pc.equal(_mod(si, 5), 0), None),
            "responded_at": _ts(pc.add(s_created, 5)),
            "response_source": pa.nulls(ns, pa.string()),
            "feedback_clarity": pa.nulls(ns, pa.int32()),
            "review_burden": pa.nulls(ns, pa.int32()),
        }
    )

    days = 30
    u = _idx(m * days)
    um = pc.divide(u, days)
    shown = pc.cast(pc.add(_mod(_mix(u, 16), 200), 1), pa.int32())
    accepted = pc.cast(_mod(_mix(u, 17), 100), pa.int32())
    out["metrics_aiusagedaily"] = pa.table(
        {
            "team_slug": _const(slug, len(u)),
            "member_github_id": pc.take(member_ids, um),
            "date": pc.cast(pc.cast(pc.add(_mod(u, days), BASE_DAY), pa.int32()), pa.date32()),
            "source": _const("copilot", len(u)),
            "active_hours": _dec(_mod(_mix(u, 18), 800), 100, 5, 2),
            "suggestions_shown": shown,
            "suggestions_accepted": pc.cast(pc.min_element_wise(accepted, shown), pa.int32()),
            "acceptance_rate": _dec(_mod(_mix(u, 19), 10000), 100, 5, 2),
        }
    )

    weeks = 12
    w = _idx(m * weeks)
    wm = pc.divide(w, weeks)
    out["metrics_weeklymetrics"] = pa.table(
        {
            "team_slug": _const(slug, len(w)),
            "member_github_id": pc.take(member_ids, wm),
            # 2024-12-30 (day 20087) is a Monday.
            "week_start": pc.cast(
                pc.cast(pc.add(pc.multiply(_mod(w, weeks), 7), 20_087), pa.int32()), pa.date32()
            ),
            "prs_merged": pc.cast(_mod(_mix(w, 20), 6), pa.int32()),
            "avg_cycle_time_hours": _dec(_mod(_mix(w, 21), 9000), 100, 10, 2),
            "avg_review_time_hours": _dec(_mod(_mix(w, 22), 3000), 100, 10, 2),
            "commits_count": pc.cast(_mod(_mix(w, 23), 20), pa.int32()),
            "lines_added": pc.cast(_mod(_mix(w, 24), 2000), pa.int32()),
            "lines_removed": pc.cast(_mod(_mix(w, 25), 900), pa.int32()),
            "revert_count": pc.cast(pc.multiply(w, 0), pa.int32()),
            "hotfix_count": pc.cast(pc.multiply(w, 0), pa.int32()),
            "story_points_completed": _dec(_mod(w, 13), 1, 10, 1),
            "issues_resolved": pc.cast(_mod(w, 4), pa.int32()),
            "ai_assisted_prs": pc.cast(_mod(w, 3), pa.int32()),
            "avg_quality_rating": pa.nulls(len(w), pa.decimal128(3, 2)),
            "surveys_completed": pc.cast(pc.multiply(w, 0), pa.int32()),
            "guess_accuracy": pa.nulls(len(w), pa.decimal128(5, 2)),
        }
    )
    # Insights: four a day over 30 days; a version-1 build rewords every 5th (a changed insight).
    i = _idx(120)
    kinds = ["ai_adoption", "cycle_time", "revert_spike", "unlinked_prs"]
    titles = _cat(_pick(i, kinds, pa.string()), " on day ", _str(pc.divide(i, 4)))
    if version:
        titles = pc.if_else(pc.equal(_mod(i, 5), 0), _cat(titles, " (v1)"), titles)
    out["metrics_dailyinsight"] = pa.table(
        {
            "team_slug": _const(slug, len(i)),
            "date": pc.cast(pc.cast(pc.add(pc.divide(i, 4), BASE_DAY), pa.int32()), pa.date32()),
            "category": _pick(i, ["trend", "trend", "anomaly", "action"], pa.string()),
            "priority": _pick(i, ["medium", "high", "high", "low"], pa.string()),
            "title": titles,
            "description": _cat("Insight ", _str(i), "."),
            "metric_type": _pick(i, kinds, pa.string()),
            "metric_value": _cat('{"value": ', _str(_mod(_mix(i, 26), 100)), "}"),
            "comparison_period": _pick(i, ["4_weeks", "4_weeks", "1_week", "4_weeks"], pa.string()),
        }
    )
    return {name: sort_table(name, table) for name, table in out.items()}


def sort_table(name: str, table: pa.Table) -> pa.Table:
    """Cast a table to its contract schema and sort it by the contract key."""
    table = table.select(arrow_schema("build", name).names).cast(arrow_schema("build", name))
    return table.sort_by([(c, "ascending") for c in table_key("build", name)])


def write_build(
    folder: Path,
    tables: dict[str, pa.Table],
    *,
    project: str = "acme",
    team_slug: str | None = None,
    seed: int = 0,
    as_of: str = "2025-06-30",
    completed: bool = True,
) -> dict[str, Any]:
    """Write tables and a manifest as a build folder; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {
        name: write_parquet(sort_table(name, tables[name]), folder / f"{name}.parquet", "build", name)
        for name in BUILD_TABLES
    }
    manifest: dict[str, Any] = {
        "kind": "prseed-build",
        "schema_version": BUILD_SCHEMA_VERSION,
        "tool_version": "buildgen",
        "project": project,
        "team_slug": team_slug or tables["teams_team"].column("slug")[0].as_py(),
        "team_name": tables["teams_team"].column("name")[0].as_py(),
        "seed": seed,
        "as_of": as_of,
        "snapshot": {"path": f"snapshots/{project}", "digest": "0" * 64},
        "tables": entries,
        "completed": completed,
    }
    write_bytes_atomic(folder / "manifest.json", dumps_manifest(manifest))
    return manifest


def generate(folder: Path, n_prs: int, **kwargs: Any) -> dict[str, Any]:
    """Generate and write a build in one call (``make_tables`` options, then ``write_build``'s)."""
    gen_keys = {"team_slug", "team_name", "n_members", "version"}
    tables = make_tables(n_prs, **{k: v for k, v in kwargs.items() if k in gen_keys})
    write_keys = {"project", "seed", "as_of", "completed"}
    return write_build(folder, tables, **{k: v for k, v in kwargs.items() if k in write_keys})


if __name__ == "__main__":  # pragma: no cover
    import sys
    import time

    t0 = time.perf_counter()
    manifest = generate(Path(sys.argv[1]), int(sys.argv[2]))
    rows = sum(e["rows"] for e in manifest["tables"].values())
    print(f"{rows} rows in {time.perf_counter() - t0:.1f} s")
