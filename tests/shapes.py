"""Small hand-made snapshots in the data shapes real repositories have (issue 11), as fixtures.

Each shape is a handful of rows with invented names, in two versions: ``v1`` and ``v2``, a refreshed
snapshot of the same project (later extraction, some rows changed), so the tests can transform,
load, then reload the changed snapshot without ``--clear``. This module is the description; the
committed folders ``tests/fixtures/shapes/<shape>/<version>/`` are written from it with
``python -m tests.shapes`` and the tests check the two still agree.

Rows are API-shaped like the extract writes them (``extract/rows.py``): logins and types as GitHub
returns them, ``raw`` the REST object every typed column derives from (:func:`with_raw`), so raw and
the typed columns agree as in a real snapshot.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from prseed.contracts import (
    SNAPSHOT_TABLES,
    arrow_schema,
    dumps_manifest,
    table_key,
    validate,
    write_bytes_atomic,
    write_parquet,
)
from tests.snapgen import GenSpec, manifest_for

Row = dict[str, Any]
User = tuple[int, str, str | None]  # (id, login, type) as in a GitHub user object; type None: unknown

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


def ts(value: str | None) -> datetime | None:
    """An ISO-8601 ``...Z`` timestamp as an aware UTC datetime (year 1 and 9999 included)."""
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _user(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    out: dict[str, Any] = {"id": user[0], "login": user[1]}
    if user[2] is not None:
        out["type"] = user[2]
    return out


def _raw(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pull(
    repo: str,
    number: int,
    title: str,
    author: User | None,
    created: str,
    *,
    merged: str | None = None,
    closed: str | None = None,
    state: str | None = None,
    body: str | None = None,
    head_ref: str | None = None,
    additions: int = 40,
    deletions: int = 8,
    labels: tuple[str, ...] = (),
) -> Row:
    """A ``pull_requests`` row; closed when merged or ``closed`` is given, else open."""
    closed = closed or merged
    return {
        "repo": repo,
        "number": number,
        "id": 900_000 + number,
        "node_id": f"PR_{number}",
        "title": title,
        "body": body,
        "state": state or ("closed" if closed else "open"),
        "draft": False,
        "author_login": author[1] if author else None,
        "author_id": author[0] if author else None,
        "author_type": author[2] if author else None,
        "author_association": "MEMBER",
        "created_at": ts(created),
        "updated_at": ts(closed or created),
        "closed_at": ts(closed),
        "merged_at": ts(merged),
        "head_ref": head_ref or f"topic-{number}",
        "base_ref": "main",
        "head_sha": f"{number:040x}",
        "merge_commit_sha": None,
        "additions": additions,
        "deletions": deletions,
        "changed_files": 1,
        "commits_count": 1,
        "labels": list(labels),
        "milestone": None,
        "assignees": [],
        "requested_reviewers": [],
        "commits_truncated": False,
        "files_truncated": False,
        "raw": _raw({"number": number, "user": _user(author)}),
    }


def review(
    repo: str, number: int, review_id: int, reviewer: User | None, state: str, submitted: str | None
) -> Row:
    """A ``reviews`` row."""
    return {
        "repo": repo,
        "pr_number": number,
        "id": review_id,
        "reviewer_login": reviewer[1] if reviewer else None,
        "reviewer_id": reviewer[0] if reviewer else None,
        "reviewer_type": reviewer[2] if reviewer else None,
        "state": state,
        "submitted_at": ts(submitted),
        "body": "",
        "commit_id": f"{number:040x}",
        "author_association": "NONE" if reviewer and reviewer[2] == "Bot" else "MEMBER",
        "raw": _raw({"id": review_id, "state": state, "user": _user(reviewer)}),
    }


def commit(
    repo: str,
    number: int,
    sha: str,
    author: User | None,
    authored: str | None,
    message: str,
    *,
    committed: str | None = None,
    additions: int = 12,
    deletions: int = 3,
) -> Row:
    """A ``commits`` row; ``raw`` carries the author object with its type, as the REST API does."""
    sha = sha.ljust(40, "0")
    return {
        "repo": repo,
        "pr_number": number,
        "sha": sha,
        "author_login": author[1] if author else None,
        "author_id": author[0] if author else None,
        "author_name": author[1] if author else "Unknown",
        "author_email": f"{author[1]}@users.example.org" if author else "unknown@example.org",
        "committer_login": author[1] if author else None,
        "authored_at": ts(authored),
        "committed_at": ts(committed if committed is not None else authored),
        "message": message,
        "parents_count": 1,
        "additions": additions,
        "deletions": deletions,
        "raw": _raw({"sha": sha, "author": _user(author)}),
    }


def check_run(
    repo: str,
    number: int,
    run_id: int,
    name: str,
    started: str | None,
    completed: str | None,
    *,
    status: str = "completed",
    conclusion: str | None = "success",
) -> Row:
    """A ``check_runs`` row."""
    return {
        "repo": repo,
        "pr_number": number,
        "head_sha": f"{number:040x}",
        "id": run_id,
        "name": name,
        "status": status,
        "conclusion": conclusion,
        "started_at": ts(started),
        "completed_at": ts(completed),
        "app_slug": "github-actions",
        "raw": _raw({"id": run_id, "started_at": started, "completed_at": completed}),
    }


def contributor(
    repo: str, user: User, contributions: int, rank: int, *, name: str | None = None, email: str | None = None
) -> Row:
    """A ``contributors`` row (profile fetched)."""
    return {
        "repo": repo,
        "login": user[1],
        "id": user[0],
        "type": user[2] or "User",
        "contributions": contributions,
        "rank": rank,
        "name": name,
        "email": email,
        "profile_fetched": True,
        "raw": _raw({"id": user[0], "login": user[1], "type": user[2] or "User"}),
    }


@dataclass(frozen=True)
class Version:
    """One snapshot of a shape: project settings and rows by snapshot table."""

    spec: GenSpec
    rows: dict[str, list[Row]]


def _iso(value: datetime | None) -> str | None:
    """A time as GitHub writes it (``...Z``), year 1 and 9999 included."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _api_fields(table: str, row: Row) -> dict[str, Any]:
    """The API fields the typed columns of ``row`` derive from, shaped as the REST API returns them.

    The extract's invariant is that every typed column derives from ``raw`` (``extract/rows.py``);
    the fixtures keep it, so ``raw`` and the typed columns never disagree.
    """
    if table == "pull_requests":
        user = (
            _user((row["author_id"], row["author_login"], row["author_type"])) if row["author_id"] else None
        )
        return {
            "number": row["number"],
            "id": row["id"],
            "node_id": row["node_id"],
            "title": row["title"],
            "body": row["body"],
            "state": row["state"],
            "draft": row["draft"],
            "user": user,
            "author_association": row["author_association"],
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
            "closed_at": _iso(row["closed_at"]),
            "merged_at": _iso(row["merged_at"]),
            "head": {"ref": row["head_ref"], "sha": row["head_sha"]},
            "base": {"ref": row["base_ref"]},
            "merge_commit_sha": row["merge_commit_sha"],
            "additions": row["additions"],
            "deletions": row["deletions"],
            "changed_files": row["changed_files"],
            "commits": row["commits_count"],
            "labels": [{"name": name} for name in row["labels"]],
            "milestone": None if row["milestone"] is None else {"title": row["milestone"]},
            "assignees": [{"login": login} for login in row["assignees"]],
            "requested_reviewers": [{"login": login} for login in row["requested_reviewers"]],
        }
    if table == "reviews":
        user = (
            _user((row["reviewer_id"], row["reviewer_login"], row["reviewer_type"]))
            if row["reviewer_id"]
            else None
        )
        return {
            "id": row["id"],
            "user": user,
            "state": row["state"],
            "submitted_at": _iso(row["submitted_at"]),
            "body": row["body"],
            "commit_id": row["commit_id"],
            "author_association": row["author_association"],
        }
    if table == "commits":
        return {
            "sha": row["sha"],
            "committer": None if row["committer_login"] is None else {"login": row["committer_login"]},
            "commit": {
                "author": {
                    "name": row["author_name"],
                    "email": row["author_email"],
                    "date": _iso(row["authored_at"]),
                },
                "committer": {"date": _iso(row["committed_at"])},
                "message": row["message"],
            },
            "parents": [{"sha": "0" * 40}] * row["parents_count"],
            "stats": {"additions": row["additions"], "deletions": row["deletions"]},
        }
    if table == "check_runs":
        return {
            "id": row["id"],
            "name": row["name"],
            "head_sha": row["head_sha"],
            "status": row["status"],
            "conclusion": row["conclusion"],
            "started_at": _iso(row["started_at"]),
            "completed_at": _iso(row["completed_at"]),
            "app": {"slug": row["app_slug"]},
        }
    if table == "contributors":
        return {
            "id": row["id"],
            "login": row["login"],
            "type": row["type"],
            "contributions": row["contributions"],
            "name": row["name"],
            "email": row["email"],
        }
    return {}


def with_raw(table: str, row: Row) -> Row:
    """``row`` with its typed columns written into ``raw`` (over the parts ``raw`` already has)."""
    raw = json.loads(row["raw"]) if row.get("raw") else {}
    raw.update(_api_fields(table, row))
    return {**row, "raw": _raw(raw)}


def tables_of(version: Version) -> dict[str, pa.Table]:
    """The snapshot tables of a version, cast to the contract and sorted by their keys."""
    out = {}
    for table in SNAPSHOT_TABLES:
        schema = arrow_schema("snapshot", table)
        rows = [with_raw(table, row) for row in version.rows.get(table, [])]
        key = table_key("snapshot", table)
        rows = sorted(rows, key=lambda r: tuple(r[k] for k in key))
        out[table] = pa.Table.from_pylist(rows, schema=schema)
    return out


def write_version(out_dir: Path, version: Version) -> dict[str, Any]:
    """Write one version as a complete snapshot folder; returns its manifest."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    tables = tables_of(version)
    entries = {t: write_parquet(tables[t], out_dir / f"{t}.parquet", "snapshot", t) for t in SNAPSHOT_TABLES}
    spec = replace(version.spec, n_prs=len(version.rows.get("pull_requests", [])))
    manifest = manifest_for(spec, entries)
    validate(manifest, "snapshot/manifest.schema.json", str(out_dir / "manifest.json"))
    write_bytes_atomic(out_dir / "manifest.json", dumps_manifest(manifest))
    return manifest


def _spec(key: str, repo: str, jira: str, as_of: date) -> GenSpec:
    return GenSpec(
        key=key,
        repos=(repo,),
        team_name=f"Shapes {key.split('-')[-1].title()}",
        team_slug=key,
        jira_project_key=jira,
        as_of=as_of,
        days_back=60,
    )


# --- Sentinel and reversed timestamps -----------------------------------------------------------

LUMEN = "lumen/core"
INES: User = (301, "ines-v", "User")
TOMAS: User = (302, "tomas-r", "User")


def timestamps(v: int) -> Version:
    """Check runs with GitHub's 0001-01-01 sentinel, reversed and absurd spans; merged-before-created;
    times at the Unix epoch and after the extraction (v1 finished 2025-06-30T12:00Z).

    v2 is the next day's extraction: the in-progress package run has completed.
    """
    r = LUMEN
    prs = [
        pull(r, 1, "Cache the parser tables", INES, "2025-06-02T10:00:00Z", merged="2025-06-03T12:30:00Z"),
        # merged before it was created (clock skew of an import): no cycle time
        pull(r, 2, "Import legacy history", INES, "2025-06-10T09:00:00Z", merged="2025-06-09T09:00:00Z"),
        pull(r, 3, "Trim the token stream", INES, "2025-06-11T08:00:00Z", merged="2025-06-11T18:00:00Z"),
        # a sentinel merge time: not merged
        pull(r, 4, "Try the new lexer", INES, "2025-06-16T08:00:00Z", closed="2025-06-17T08:00:00Z"),
        pull(r, 5, "Ship the package job", TOMAS, "2025-06-28T08:00:00Z"),
        # created at the Unix epoch (a zero time): unknown creation, no cycle or review time
        pull(r, 6, "Port the importer", TOMAS, "1970-01-01T00:00:00Z", merged="2025-06-12T10:00:00Z"),
        # merged in 2262, after the extraction: not merged
        pull(r, 7, "Bound the lexer", INES, "2025-06-13T08:00:00Z", merged="2262-04-11T23:47:16Z"),
        # merged at the epoch: not merged, so no survey dated 1970
        pull(r, 8, "Drop the old cache", TOMAS, "2025-06-14T08:00:00Z", merged="1970-01-01T00:00:00Z"),
    ]
    prs[3]["merged_at"] = ts("0001-01-01T00:00:00Z")
    reviews = [
        review(r, 1, 4001, TOMAS, "APPROVED", "2025-06-02T12:00:00Z"),
        review(r, 2, 4002, TOMAS, "APPROVED", "2025-06-09T08:00:00Z"),  # before the PR was created
        review(r, 3, 4003, TOMAS, "APPROVED", "2025-06-11T09:30:00Z"),
        review(r, 4, 4004, TOMAS, "COMMENTED", "0001-01-01T00:00:00Z"),
        review(r, 6, 4005, INES, "APPROVED", "2025-06-12T09:00:00Z"),
        # neither the epoch nor the year 3000 is a first review
        review(r, 7, 4006, TOMAS, "COMMENTED", "1970-01-01T00:00:00Z"),
        review(r, 7, 4007, TOMAS, "APPROVED", "3000-01-01T00:00:00Z"),
    ]
    commits = [
        commit(r, 1, "a1", INES, "2025-06-02T09:00:00Z", "Cache tables"),
        commit(r, 2, "a2", INES, "2025-06-08T09:00:00Z", "Import history"),
        # a sentinel author date: the committer date is the commit's time
        commit(r, 3, "a3", INES, "0001-01-01T00:00:00Z", "Trim tokens", committed="2025-06-11T07:00:00Z"),
        commit(r, 4, "a4", INES, "9999-12-31T23:59:59Z", "Lexer", committed="9999-12-31T23:59:59Z"),
        commit(r, 5, "a5", TOMAS, "2025-06-28T07:00:00Z", "Package job"),
        # an epoch author date: the committer date is the commit's time
        commit(r, 6, "a6", TOMAS, "1970-01-01T00:00:00Z", "Port", committed="2025-06-12T09:00:00Z"),
        # imported history: an old git date is real
        commit(r, 7, "a7", INES, "1999-03-01T12:00:00Z", "Lexer bounds (from CVS)"),
        # after the extraction: unknown
        commit(r, 8, "a8", TOMAS, "2031-01-01T00:00:00Z", "Drop cache", committed="2031-01-01T00:00:00Z"),
    ]
    runs = [
        check_run(r, 1, 201, "build", "2025-06-02T10:00:00Z", "2025-06-02T10:03:20.900Z"),
        check_run(
            r, 1, 202, "deploy-preview", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", conclusion="skipped"
        ),
        check_run(r, 1, 203, "e2e", "0001-01-01T00:00:00Z", "2025-06-02T10:05:00Z", conclusion="cancelled"),
        check_run(r, 1, 204, "lint", "2025-06-02T10:10:00Z", "2025-06-02T10:00:00Z"),
        check_run(r, 1, 205, "nightly", "2025-06-02T10:00:00Z", "9999-12-31T23:59:59Z"),
        check_run(r, 1, 206, "soak", "1971-01-01T00:00:00Z", "2045-01-01T00:00:00Z"),
        check_run(r, 3, 208, "bench", "1970-01-01T00:00:00Z", "2025-06-11T10:00:00Z"),  # epoch start
        check_run(r, 3, 209, "fuzz", "2025-06-11T10:00:00Z", "3000-01-01T00:00:00Z"),  # year-3000 end
        check_run(r, 5, 207, "package", "2025-06-29T23:00:00Z", None, status="in_progress", conclusion=None),
    ]
    if v == 2:
        runs[-1] = check_run(r, 5, 207, "package", "2025-06-29T23:00:00Z", "2025-06-30T00:10:00Z")
    contributors = [contributor(r, INES, 40, 1), contributor(r, TOMAS, 12, 2)]
    return Version(
        _spec("shapes-time", r, "LUM", date(2025, 6, 30) if v == 1 else date(2025, 7, 1)),
        {
            "pull_requests": prs,
            "reviews": reviews,
            "commits": commits,
            "check_runs": runs,
            "contributors": contributors,
        },
    )


# --- Bots known by type, not by a "[bot]" suffix ------------------------------------------------

EMBER = "ember/forge"
NOOR: User = (101, "noor-h", "User")
RAVI: User = (102, "ravi-p", "User")
CLAUDE_HUMAN: User = (888, "claude", "User")  # a person whose login is a bot's name
RABBIT_GQL: User = (136622811, "coderabbitai", "Bot")  # GraphQL: no suffix
RABBIT_REST: User = (136622811, "coderabbitai[bot]", "Bot")
COPILOT_REVIEWER_GQL: User = (175728472, "copilot-pull-request-reviewer", "Bot")
COPILOT_AGENT: User = (198982749, "Copilot", "Bot")  # only ever a commit author here
SWE_AGENT_UNTYPED: User = (203248971, "copilot-swe-agent", None)  # no type in the commit's raw
RENOVATE_UNTYPED: User = (29139614, "renovate", None)


def bots(v: int) -> Version:
    """AI reviewer bots and the Copilot coding agent under GraphQL-style logins without "[bot]".

    v2: CodeRabbit reviews PR 2 again, and the Copilot agent pushes a commit to it.
    """
    r = EMBER
    prs = [
        pull(r, 1, "Add the forge queue", NOOR, "2025-06-02T09:00:00Z", merged="2025-06-04T09:00:00Z"),
        pull(r, 2, "Retry failed casts", RAVI, "2025-06-09T09:00:00Z", merged="2025-06-10T09:00:00Z"),
        pull(r, 3, "Pin the toolchain", RENOVATE_UNTYPED, "2025-06-11T09:00:00Z"),
    ]
    reviews = [
        review(r, 1, 7001, RABBIT_GQL, "COMMENTED", "2025-06-02T09:05:00Z"),
        review(r, 1, 7002, COPILOT_REVIEWER_GQL, "COMMENTED", "2025-06-02T09:06:00Z"),
        review(r, 1, 7003, RAVI, "APPROVED", "2025-06-03T10:00:00Z"),
        review(r, 2, 7004, RABBIT_REST, "COMMENTED", "2025-06-09T09:04:00Z"),
        review(r, 2, 7005, CLAUDE_HUMAN, "APPROVED", "2025-06-09T15:00:00Z"),
    ]
    commits = [
        commit(r, 1, "b1", COPILOT_AGENT, "2025-06-02T08:00:00Z", "Initial plan"),
        commit(r, 1, "b2", NOOR, "2025-06-02T08:30:00Z", "Queue the forge jobs"),
        commit(r, 2, "b3", RAVI, "2025-06-09T08:00:00Z", "Retry casts"),
        commit(r, 2, "b4", SWE_AGENT_UNTYPED, "2025-06-09T08:10:00Z", "Address review comments"),
        commit(r, 3, "b5", RENOVATE_UNTYPED, "2025-06-11T08:00:00Z", "chore(deps): pin toolchain"),
    ]
    if v == 2:
        reviews.append(review(r, 2, 7006, RABBIT_GQL, "CHANGES_REQUESTED", "2025-06-09T16:00:00Z"))
        commits.append(commit(r, 2, "b6", COPILOT_AGENT, "2025-06-09T17:00:00Z", "Apply suggestions"))
    contributors = [
        contributor(r, NOOR, 30, 1),
        contributor(r, RAVI, 20, 2),
        contributor(r, CLAUDE_HUMAN, 5, 3, name="Claude Martin"),
    ]
    return Version(
        _spec("shapes-bots", r, "EMB", date(2025, 6, 30) if v == 1 else date(2025, 7, 1)),
        {"pull_requests": prs, "reviews": reviews, "commits": commits, "contributors": contributors},
    )


# --- Identities that change between snapshots ---------------------------------------------------

QUARTZ = "quartz/engine"


def identity(v: int) -> Version:
    """Renamed logins whose old name a newer account takes, and public e-mails that move.

    v1 (mid June): marta (id 9), oskar (12) publishing dev@quartz.example, lina (15), pavel (20),
    rui (50) and sofia (51) publishing ops@ and qa@.
    v2 (end of June): id 9 renamed itself marta-k (an older PR still shows "marta") and a newer
    account, id 31, took "marta"; dev@ moved from oskar to lina; pavel's PR is gone and a newer
    account, id 44, took "pavel"; rui and sofia swapped addresses; tess (60) is new.
    """
    r = QUARTZ
    marta, oskar, lina, pavel = (
        (9, "marta", "User"),
        (12, "oskar", "User"),
        (15, "lina", "User"),
        (20, "pavel", "User"),
    )
    rui, sofia = (50, "rui", "User"), (51, "sofia", "User")
    prs = [
        pull(r, 1, "Split the engine loop", marta, "2025-05-05T09:00:00Z", merged="2025-05-06T09:00:00Z"),
        pull(r, 2, "Add shard metrics", oskar, "2025-05-07T09:00:00Z", merged="2025-05-08T09:00:00Z"),
        pull(r, 3, "Faster startup", lina, "2025-05-12T09:00:00Z", merged="2025-05-13T09:00:00Z"),
        pull(r, 5, "Rotate the logs", rui, "2025-05-20T09:00:00Z", merged="2025-05-21T09:00:00Z"),
        pull(r, 6, "Stress the queue", sofia, "2025-05-21T09:00:00Z", merged="2025-05-22T09:00:00Z"),
    ]
    reviews = [review(r, 3, 8001, marta, "APPROVED", "2025-05-12T15:00:00Z")]
    commits = [commit(r, 1, "c1", marta, "2025-05-05T08:00:00Z", "Split loop")]
    contributors = [
        contributor(r, marta, 30, 1),
        contributor(r, oskar, 20, 2, email="dev@quartz.example"),
        contributor(r, lina, 10, 3),
        contributor(r, pavel, 8, 4),
        contributor(r, rui, 6, 5, email="ops@quartz.example"),
        contributor(r, sofia, 5, 6, email="qa@quartz.example"),
    ]
    if v == 1:
        prs.append(
            pull(r, 4, "Drop the old codec", pavel, "2025-05-14T09:00:00Z", merged="2025-05-15T09:00:00Z")
        )
        return Version(
            _spec("shapes-identity", r, "QTZ", date(2025, 6, 15)),
            {"pull_requests": prs, "reviews": reviews, "commits": commits, "contributors": contributors},
        )
    marta_k, marta_new = (9, "marta-k", "User"), (31, "marta", "User")
    pavel_new, tess = (44, "pavel", "User"), (60, "tess", "User")
    prs += [
        pull(r, 7, "Engine loop, part two", marta_k, "2025-06-20T09:00:00Z", merged="2025-06-21T09:00:00Z"),
        pull(r, 8, "First patch", marta_new, "2025-06-22T09:00:00Z", merged="2025-06-23T09:00:00Z"),
        pull(r, 9, "Codec cleanup", pavel_new, "2025-06-24T09:00:00Z"),
        pull(r, 10, "Docs for shards", tess, "2025-06-25T09:00:00Z", merged="2025-06-26T09:00:00Z"),
    ]
    commits.append(commit(r, 7, "c7", marta_k, "2025-06-20T08:00:00Z", "Loop part two"))
    contributors = [  # id 9 is no longer listed: its old login lives on only in PR 1's author
        contributor(r, marta_new, 3, 5),
        contributor(r, oskar, 20, 1),
        contributor(r, lina, 12, 2, email="dev@quartz.example"),
        contributor(r, pavel_new, 2, 7),
        contributor(r, rui, 6, 3, email="qa@quartz.example"),
        contributor(r, sofia, 5, 4, email="ops@quartz.example"),
        contributor(r, tess, 1, 6),
    ]
    return Version(
        _spec("shapes-identity", r, "QTZ", date(2025, 6, 30)),
        {"pull_requests": prs, "reviews": reviews, "commits": commits, "contributors": contributors},
    )


# --- Text rules that fire on the wrong words ----------------------------------------------------

FORTLINE = "fortline/app"
AMELIE: User = (401, "amelie-d", "User")
BRUNO: User = (402, "bruno-s", "User")


def text(v: int) -> Version:
    """Ids that look like Jira keys, a lowercase own key, people named like AI tools, odd trailers.

    v2: PR 1 was retitled with its own key, so it moves from its synthetic issue to FTL-9.
    """
    r = FORTLINE
    m = "2025-06-0{}T09:00:00Z"
    mm = "2025-06-0{}T18:00:00Z"
    prs = [
        pull(
            r,
            1,
            "Handle UTF-8 file names",
            AMELIE,
            m.format(2),
            merged=mm.format(2),
            head_ref="fix/utf8-names",
            body="Pairing with Claude Dubois on this.",
        ),
        pull(
            r,
            2,
            "Reject invalid UTF-8 in headers",
            BRUNO,
            m.format(3),
            merged=mm.format(3),
            head_ref="utf-8-headers",
            body="Co-authored-by : Claude <noreply@anthropic.com>",
        ),
        pull(
            r,
            3,
            "Parse ISO-8601 durations",
            AMELIE,
            m.format(4),
            merged=mm.format(4),
            head_ref="iso-dates",
            body="Generated with [Claude Code](https://claude.com/claude-code)",
        ),
        pull(
            r,
            4,
            "Bump lodash for CVE-2021-23337",
            BRUNO,
            m.format(5),
            merged=mm.format(5),
            head_ref="dependabot/npm_and_yarn/lodash-4.17.21",
        ),
        pull(
            r,
            5,
            "Session timeout",
            AMELIE,
            m.format(6),
            merged=mm.format(6),
            head_ref="ftl-42-session-timeout",
        ),
        pull(r, 6, "Fix UTF-8 in FTL-7 export (see ABC-3)", BRUNO, m.format(7), merged=mm.format(7)),
        pull(r, 7, "ABC-12 shared lib", AMELIE, m.format(8), merged=mm.format(8), head_ref="main-fix"),
        pull(r, 8, "Add search", BRUNO, m.format(9), merged=mm.format(9), head_ref="FTL-42-search-followup"),
    ]
    if v == 2:
        prs[0]["title"] = "FTL-9 Handle UTF-8 file names"
    commits = [
        commit(
            r,
            1,
            "d1",
            AMELIE,
            m.format(2),
            "Fix names\n\nCo-authored-by: Claude Dubois <claude.dubois@fortline.example>",
        ),
        commit(
            r,
            2,
            "d2",
            BRUNO,
            m.format(3),
            "Reject bad bytes\n\nCo-authored-by : Claude <noreply@anthropic.com>",
        ),
        commit(
            r,
            3,
            "d3",
            AMELIE,
            m.format(4),
            "Parse\r\n\r\nCo-Authored-By: Copilot <198982749+Copilot@users.noreply.github.com>\r\n",
        ),
        commit(
            r, 5, "d5", AMELIE, m.format(6), "Timeout\n\nCo-authored-by: Devin Walsh <devin@fortline.example>"
        ),
        commit(
            r,
            6,
            "d6",
            BRUNO,
            m.format(7),
            "Export\n\nCo-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>\n"
            "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
        ),
    ]
    contributors = [contributor(r, AMELIE, 20, 1), contributor(r, BRUNO, 15, 2)]
    return Version(
        _spec("shapes-text", r, "FTL", date(2025, 6, 30) if v == 1 else date(2025, 7, 1)),
        {"pull_requests": prs, "commits": commits, "contributors": contributors},
    )


# --- Product names, versions and standards that look like Jira keys -----------------------------

VEXA = "vexa/vexa"  # the project's Jira key VEXA is also its product's name
IDA: User = (501, "ida-m", "User")
JONAS: User = (502, "jonas-k", "User")


def versions(v: int) -> Version:
    """Titles and branches naming products, versions and standards with digits, in project VEXA.

    v2: PR 1 was retitled with a real ticket, "[VEXA-30] Use GPT-4o for summaries".
    """
    r = VEXA
    rows = [
        (1, "Use GPT-4o for summaries", "gpt-summaries"),
        (2, "GPT-4 summaries for digests", "digests"),  # not PR 1's issue
        (3, "SOC-2 evidence export", "soc2-evidence"),
        (4, "MPEG-4 thumbnails", "MPEG-4-thumbs"),
        (5, "Support FIPS-140 and USB-3 keys", "fips-usb"),
        (6, "K8S-1 manifests", "K8S-1-manifests"),
        (7, "docs: vexa-3 migration guide", "docs-migration"),
        (8, "fix: layers in Vexa-3.12", "layers-fix"),
        (9, "Compat layer", "feat/vexa-4-compat"),
        (10, "Upgrade to vexa-1.46.3", "upgrade-vexa"),
        (11, "VEXA-21 cache layers", "cache-layers"),
        (12, "Cache layers, follow-up", "feature/VEXA-21-followup"),  # shares PR 11's issue
        (13, "[OPS-7] rotate keys", "rotate-keys"),  # another project's ticket
    ]
    prs = [
        pull(
            r,
            n,
            title,
            IDA if n % 2 else JONAS,
            f"2025-06-{n + 1:02d}T09:00:00Z",
            merged=f"2025-06-{n + 1:02d}T17:00:00Z",
            head_ref=branch,
        )
        for n, title, branch in rows
    ]
    if v == 2:
        prs[0] = pull(
            r,
            1,
            "[VEXA-30] Use GPT-4o for summaries",
            IDA,
            "2025-06-02T09:00:00Z",
            merged="2025-06-02T17:00:00Z",
            head_ref="gpt-summaries",
        )
    contributors = [contributor(r, IDA, 20, 1), contributor(r, JONAS, 15, 2)]
    return Version(
        _spec("shapes-versions", r, "VEXA", date(2025, 6, 30) if v == 1 else date(2025, 7, 1)),
        {"pull_requests": prs, "contributors": contributors},
    )


SHAPES: dict[str, Callable[[int], Version]] = {
    "text": text,
    "versions": versions,
    "timestamps": timestamps,
    "bots": bots,
    "identity": identity,
}


def fixture_dir(shape: str, version: int) -> Path:
    """The committed folder of one version of a shape."""
    return FIXTURES / shape / f"v{version}"


def main() -> None:
    """Rewrite every committed shape fixture from this module."""
    for shape, make in SHAPES.items():
        for v in (1, 2):
            manifest = write_version(fixture_dir(shape, v), make(v))
            print(shape, f"v{v}", {t: e["rows"] for t, e in manifest["tables"].items()})


if __name__ == "__main__":
    main()
