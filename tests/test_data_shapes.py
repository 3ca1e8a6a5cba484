"""Data shapes real repositories have (issue 11), through the real CLI: transform, load, reload.

Each shape is a committed fixture snapshot in two versions (``tests/shapes.py`` describes them).
A test copies v1 into a snapshots folder, runs ``prseed transform`` and checks the build's values,
runs ``prseed load`` into real PostgreSQL and checks the rows there, then replaces the snapshot with
the refreshed v2 and transforms and loads again, without ``--clear``.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from prseed.cli import cli
from prseed.contracts import SNAPSHOT_TABLES, verify_dataset
from tests import shapes


class Project:
    """A scratch project folder (snapshots/ and build/) holding one shape."""

    def __init__(self, root: Path, shape: str, url: str) -> None:
        self.shape = shape
        self.key = shapes.SHAPES[shape](1).spec.key
        self.snapshots = root / "snapshots"
        self.builds = root / "build"
        self.url = url

    def transform(self, version: int) -> Path:
        """Put the shape's snapshot ``version`` in place and run ``prseed transform``."""
        target = self.snapshots / self.key
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(shapes.fixture_dir(self.shape, version), target)
        build = self.builds / self.key
        run("transform", self.key, "--snapshot", str(target), "--out", str(build))
        return build

    def load(self) -> str:
        """Run ``prseed load`` of the project (no ``--clear``); returns its output."""
        return run(
            "load",
            self.key,
            "--snapshots",
            str(self.snapshots),
            "--builds",
            str(self.builds),
            "--database-url",
            self.url,
        )

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql.encode(), params).fetchall()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, f"prseed {' '.join(args)}: exit {result.exit_code}\n{result.output}"
    return result.stdout


def rows(build: Path, table: str, key: str) -> dict[Any, dict[str, Any]]:
    data = pq.read_table(build / f"{table}.parquet").to_pylist()
    return {r[key]: r for r in data}


@pytest.mark.parametrize("shape", sorted(shapes.SHAPES))
@pytest.mark.parametrize("version", [1, 2])
def test_committed_fixture_is_what_shapes_describes(shape: str, version: int) -> None:
    folder = shapes.fixture_dir(shape, version)
    verify_dataset(folder, "snapshot")
    described = shapes.tables_of(shapes.SHAPES[shape](version))
    for table in SNAPSHOT_TABLES:
        committed = pq.read_table(folder / f"{table}.parquet")
        assert committed.to_pylist() == described[table].to_pylist(), f"{shape} v{version} {table}"


# --- Sentinel and reversed timestamps -----------------------------------------------------------

# GitHub times the build writes, by table (commit dates may be older: imported history).
BUILD_TIMES = {
    "metrics_pullrequest": ("pr_created_at", "merged_at", "first_review_at"),
    "metrics_prreview": ("submitted_at",),
    "metrics_prcheckrun": ("started_at", "completed_at"),
    "metrics_jiraissue": ("issue_created_at", "resolved_at"),
    "metrics_prsurvey": ("survey_created_at", "author_responded_at"),
    "metrics_prsurveyreview": ("responded_at",),
}


def test_sentinel_and_reversed_timestamps(tmp_path: Path, schema_url: str) -> None:
    project = Project(tmp_path, "timestamps", schema_url)
    build = project.transform(1)  # crashed on an INT32 overflow before

    runs = rows(build, "metrics_prcheckrun", "github_check_run_id")
    got = {
        i: (r["started_at"] is None, r["completed_at"] is None, r["duration_seconds"])
        for i, r in runs.items()
    }
    assert got == {
        201: (False, False, 200),  # 3 min 20.9 s, truncated
        202: (True, True, None),  # skipped job: 0001-01-01 on both ends
        203: (True, False, None),  # never started
        204: (False, False, None),  # reversed
        205: (False, True, None),  # 9999-12-31 end
        206: (True, True, None),  # 1971 (before GitHub) to 2045 (after the extraction)
        207: (False, True, None),  # still running
        208: (True, False, None),  # started at the Unix epoch (was 1,749,636,000 s)
        209: (False, True, None),  # completed in the year 3000
    }
    prs = rows(build, "metrics_pullrequest", "github_pr_id")
    assert {n: (p["state"], p["cycle_time_hours"], p["review_time_hours"]) for n, p in prs.items()} == {
        1: ("merged", Decimal("26.50"), Decimal("2.00")),
        2: ("merged", None, None),  # merged (and reviewed) before it was created
        3: ("merged", Decimal("10.00"), Decimal("1.50")),
        4: ("closed", None, None),  # 0001-01-01 merge time: not merged
        5: ("open", None, None),
        6: ("merged", None, None),  # created at the epoch (was 485,986.00 hours)
        7: ("closed", None, None),  # merged in 2262: not merged (was 2,076,134 hours)
        8: ("closed", None, None),  # merged at the epoch: not merged
    }
    assert prs[4]["merged_at"] is None and prs[4]["first_review_at"] is None
    assert (
        prs[6]["pr_created_at"] is None
        and prs[6]["first_review_at"].isoformat() == "2025-06-12T09:00:00+00:00"
    )
    assert prs[7]["merged_at"] is None and prs[7]["first_review_at"] is None  # epoch and year-3000 reviews
    assert prs[8]["merged_at"] is None
    stamps = [
        t
        for table, cols in BUILD_TIMES.items()
        for r in pq.read_table(build / f"{table}.parquet").to_pylist()
        for t in (r[c] for c in cols)
        if t is not None
    ]
    assert min(stamps).year >= 2008 and max(stamps).isoformat() < "2025-07-02"
    reviews = rows(build, "metrics_prreview", "github_review_id")
    assert reviews[4004]["submitted_at"] is None
    commits = {
        c["github_pr_id"]: c["committed_at"] for c in rows(build, "metrics_commit", "github_sha").values()
    }
    assert commits[3] is not None and commits[3].isoformat() == "2025-06-11T07:00:00+00:00"
    assert commits[4] is None
    assert commits[6].isoformat() == "2025-06-12T09:00:00+00:00"  # epoch author date: committer date
    assert commits[7].isoformat() == "1999-03-01T12:00:00+00:00"  # imported history is real
    assert commits[8] is None  # after the extraction
    jira = rows(build, "metrics_jiraissue", "jira_key")
    issues = {k: i["cycle_time_hours"] for k, i in jira.items()}
    assert issues["LUM-1000002"] is None and issues["LUM-1000001"] == Decimal("26.50")
    assert issues["LUM-1000006"] is None and jira["LUM-1000006"]["issue_created_at"] is None
    assert jira["LUM-1000006"]["sprint_id"] == "38"  # by merged_at 2025-06-12
    assert jira["LUM-1000007"]["resolved_at"] is None and jira["LUM-1000008"]["resolved_at"] is None
    surveys = rows(build, "metrics_prsurvey", "github_pr_id")
    assert sorted(surveys) == [1, 2, 3, 6]  # not 7 (2262) nor 8 (1970)
    weekly = {
        (w["member_github_id"], w["week_start"].isoformat()): w
        for w in pq.read_table(build / "metrics_weeklymetrics.parquet").to_pylist()
    }
    week = weekly[("301", "2025-06-09")]
    # PR 2 counts as merged, but its unknown cycle time stays out of the average (was -7.00)
    assert (week["prs_merged"], week["avg_cycle_time_hours"], week["avg_review_time_hours"]) == (
        2,
        Decimal("10.00"),
        Decimal("1.50"),
    )
    tomas = weekly[("302", "2025-06-09")]
    # PR 6 created at the epoch: merged that week, no cycle time (was 485,986.00)
    assert (tomas["prs_merged"], tomas["avg_cycle_time_hours"]) == (1, None)

    project.load()
    check_runs = """SELECT c.github_check_run_id, c.started_at, c.completed_at, c.duration_seconds
                    FROM metrics_prcheckrun c ORDER BY 1"""
    loaded = {r[0]: (r[1] is None, r[2] is None, r[3]) for r in project.query(check_runs)}
    assert loaded == got
    cycle = """SELECT p.github_pr_id, p.state, p.cycle_time_hours FROM metrics_pullrequest p ORDER BY 1"""
    assert project.query(cycle) == [
        (1, "merged", Decimal("26.50")),
        (2, "merged", None),
        (3, "merged", Decimal("10.00")),
        (4, "closed", None),
        (5, "open", None),
        (6, "merged", None),
        (7, "closed", None),
        (8, "closed", None),
    ]
    oldest = """SELECT min(t) FROM (SELECT pr_created_at AS t FROM metrics_pullrequest
                UNION ALL SELECT merged_at FROM metrics_pullrequest
                UNION ALL SELECT first_review_at FROM metrics_pullrequest
                UNION ALL SELECT submitted_at FROM metrics_prreview
                UNION ALL SELECT started_at FROM metrics_prcheckrun
                UNION ALL SELECT created_at FROM metrics_prsurvey
                UNION ALL SELECT resolved_at FROM metrics_jiraissue)"""
    assert project.query(oldest)[0][0].year >= 2008
    assert project.query("SELECT max(avg_cycle_time_hours) FROM metrics_weeklymetrics") == [
        (Decimal("26.50"),)
    ]
    avg = """SELECT w.prs_merged, w.avg_cycle_time_hours FROM metrics_weeklymetrics w
             JOIN metrics_teammember m ON m.id = w.member_id
             WHERE m.github_id = '301' AND w.week_start = '2025-06-09'"""
    assert project.query(avg) == [(2, Decimal("10.00"))]

    project.transform(2)  # the next day: the package run has completed
    project.load()
    package = (
        "SELECT duration_seconds, completed_at IS NOT NULL FROM metrics_prcheckrun WHERE name = 'package'"
    )
    assert project.query(package) == [(4200, True)]
    assert project.query("SELECT count(*) FROM metrics_prcheckrun") == [(9,)]


# --- Bots known by type -------------------------------------------------------------------------

BOT_IDS = {"136622811", "175728472", "198982749", "203248971", "29139614"}


def test_bots_known_by_type_not_by_suffix(tmp_path: Path, schema_url: str) -> None:
    project = Project(tmp_path, "bots", schema_url)
    build = project.transform(1)

    members = rows(build, "metrics_teammember", "github_id")
    assert {g for g, m in members.items() if not m["is_active"]} == BOT_IDS
    # The Copilot agent is only a commit author; the human "claude" stays human.
    assert members["198982749"]["github_username"] == "Copilot"
    assert members["888"]["is_active"] and members["888"]["email"] == "claude@example.com"
    reviews = rows(build, "metrics_prreview", "github_review_id")
    assert {i: r["ai_reviewer_type"] for i, r in reviews.items() if r["is_ai_review"]} == {
        7001: "coderabbit",  # GraphQL login "coderabbitai"
        7002: "copilot",  # "copilot-pull-request-reviewer"
        7004: "coderabbit",  # REST login "coderabbitai[bot]"
    }
    commits = rows(build, "metrics_commit", "github_sha")
    ai_commits = {c["github_sha"][:2]: c["ai_co_authors"] for c in commits.values() if c["is_ai_assisted"]}
    assert ai_commits == {"b1": '["copilot"]', "b4": '["copilot"]'}  # authored by the agent
    prs = rows(build, "metrics_pullrequest", "github_pr_id")
    assert [(n, p["has_ai_review"], p["has_ai_commits"]) for n, p in sorted(prs.items())] == [
        (1, True, True),
        (2, True, True),
        (3, False, False),
    ]
    weekly = pq.read_table(build / "metrics_weeklymetrics.parquet").to_pylist()
    assert {w["member_github_id"] for w in weekly} == {"101", "102", "888"}
    usage = pq.read_table(build / "metrics_aiusagedaily.parquet").to_pylist()
    assert not {u["member_github_id"] for u in usage} & BOT_IDS
    survey_reviewers = pq.read_table(build / "metrics_prsurveyreview.parquet").to_pylist()
    assert not {s["reviewer_github_id"] for s in survey_reviewers} & BOT_IDS

    project.load()
    inactive = "SELECT github_id FROM metrics_teammember WHERE NOT is_active ORDER BY 1"
    assert {r[0] for r in project.query(inactive)} == BOT_IDS
    weekly_bots = """SELECT count(*) FROM metrics_weeklymetrics w JOIN metrics_teammember m ON m.id = w.member_id
                     WHERE NOT m.is_active"""
    assert project.query(weekly_bots) == [(0,)]

    project.transform(2)
    project.load()
    ai_reviews = """SELECT r.github_review_id, r.ai_reviewer_type FROM metrics_prreview r
                    WHERE r.is_ai_review ORDER BY 1"""
    assert project.query(ai_reviews) == [
        (7001, "coderabbit"),
        (7002, "copilot"),
        (7004, "coderabbit"),
        (7006, "coderabbit"),
    ]
    agent_commits = """SELECT count(*) FROM metrics_commit c JOIN metrics_teammember m ON m.id = c.author_id
                       WHERE m.github_id = '198982749' AND c.is_ai_assisted"""
    assert project.query(agent_commits) == [(2,)]
    assert project.query(inactive) == [(g,) for g in sorted(BOT_IDS)]
    assert project.query(weekly_bots) == [(0,)]


# --- Identities that change between snapshots ---------------------------------------------------


def members_in_db(project: Project) -> dict[str, tuple[str, str]]:
    got = project.query(
        "SELECT github_id, github_username, email FROM metrics_teammember WHERE github_id > ''"
    )
    return {g: (login, email) for g, login, email in got}


def test_changed_identities_reload_without_clear(tmp_path: Path, schema_url: str) -> None:
    project = Project(tmp_path, "identity", schema_url)
    project.transform(1)
    project.load()
    v1 = {
        "9": ("marta", "marta@example.com"),
        "12": ("oskar", "dev@quartz.example"),
        "15": ("lina", "lina@example.com"),
        "20": ("pavel", "pavel@example.com"),
        "50": ("rui", "ops@quartz.example"),
        "51": ("sofia", "qa@quartz.example"),
    }
    assert members_in_db(project) == v1
    # A member the app created itself (no GitHub id) holds the address tess will want.
    project.query(
        """INSERT INTO metrics_teammember (created_at, updated_at, team_id, email, display_name,
               github_username, github_id, jira_account_id, slack_user_id, role, is_active)
           SELECT now(), now(), id, 'tess@example.com', 'Tess (HR)', '', '', '', '', 'developer', true
           FROM teams_team WHERE slug = 'shapes-identity' RETURNING id"""
    )

    build = project.transform(2)
    members = rows(build, "metrics_teammember", "github_id")
    assert {g: (m["github_username"], m["email"]) for g, m in members.items()} == {
        "9": ("marta-k", "marta-k@example.com"),  # newest login, though PR 1 still says "marta"
        "12": ("oskar", "oskar@example.com"),
        "15": ("lina", "dev@quartz.example"),  # the address moved from oskar
        "31": ("marta", "marta@example.com"),  # the newer account that took the name
        "44": ("pavel", "pavel@example.com"),
        "50": ("rui", "qa@quartz.example"),  # swapped
        "51": ("sofia", "ops@quartz.example"),
        "60": ("tess", "tess@example.com"),
    }

    project.load()  # was exit 5 "re-create the build": the team's unique e-mail refused the upsert
    assert members_in_db(project) == {
        "9": ("marta-k", "marta-k@example.com"),
        "12": ("oskar", "oskar@example.com"),
        "15": ("lina", "dev@quartz.example"),
        "20": ("pavel", "20+pavel@users.noreply.github.com"),  # gone from v2: gave its address up
        "31": ("marta", "marta@example.com"),
        "44": ("pavel", "pavel@example.com"),
        "50": ("rui", "qa@quartz.example"),
        "51": ("sofia", "ops@quartz.example"),
        "60": ("tess", "60+tess@users.noreply.github.com"),  # the app's member keeps its address
    }
    assert project.query("SELECT email FROM metrics_teammember WHERE github_id = ''") == [
        ("tess@example.com",)
    ]
    authors = """SELECT p.github_pr_id, m.github_username FROM metrics_pullrequest p
                 JOIN metrics_teammember m ON m.id = p.author_id ORDER BY 1"""
    assert project.query(authors) == [
        (1, "marta-k"),
        (2, "oskar"),
        (3, "lina"),
        (4, "pavel"),  # v1's PR of the old pavel (id 20) stays his
        (5, "rui"),
        (6, "sofia"),
        (7, "marta-k"),
        (8, "marta"),
        (9, "pavel"),
        (10, "tess"),
    ]
    four = "SELECT m.github_id FROM metrics_pullrequest p JOIN metrics_teammember m ON m.id = p.author_id WHERE p.github_pr_id = 4"
    assert project.query(four) == [("20",)]

    stamps = "SELECT github_id, email, updated_at FROM metrics_teammember ORDER BY 1"
    before = project.query(stamps)
    project.load()  # the same build again changes nothing
    assert project.query(stamps) == before


# --- Text rules that fire on the wrong words ----------------------------------------------------


def test_text_rules_fire_on_the_right_words(tmp_path: Path, schema_url: str) -> None:
    project = Project(tmp_path, "text", schema_url)
    build = project.transform(1)

    prs = rows(build, "metrics_pullrequest", "github_pr_id")
    assert {n: p["jira_key"] for n, p in prs.items()} == {
        1: "",  # UTF-8
        2: "",  # UTF-8 again: not the same Jira issue as PR 1
        3: "",  # ISO-8601
        4: "",  # CVE-2021-23337
        5: "FTL-42",  # lowercase branch ftl-42-session-timeout, the project's key
        6: "FTL-7",  # the own key over UTF-8 and ABC-3
        7: "ABC-12",  # another project's key is still a key
        8: "FTL-42",  # shares PR 5's issue
    }
    assert {n: p["ai_tools_detected"] for n, p in prs.items() if p["is_ai_assisted"]} == {
        2: '["claude"]',  # "Co-authored-by : Claude <noreply@anthropic.com>" in the body
        3: '["claude"]',
    }  # PR 1's "Pairing with Claude Dubois" is a person
    issues = rows(build, "metrics_jiraissue", "jira_key")
    assert sorted(issues) == [
        "ABC-12",
        "FTL-1000001",
        "FTL-1000002",
        "FTL-1000003",
        "FTL-1000004",
        "FTL-42",
        "FTL-7",
    ]
    assert issues["FTL-42"]["summary"] == "Session timeout"
    commits = {
        c["github_sha"][:2]: c["ai_co_authors"] for c in rows(build, "metrics_commit", "github_sha").values()
    }
    assert commits == {
        "d1": "[]",  # Claude Dubois, a person
        "d2": '["claude"]',  # "Co-authored-by :"
        "d3": '["copilot"]',  # CRLF, Co-Authored-By, the Copilot agent's address
        "d5": "[]",  # Devin Walsh, a person
        "d6": '["aider","claude"]',
    }

    project.load()
    keys = "SELECT github_pr_id, jira_key FROM metrics_pullrequest ORDER BY 1"
    assert dict(project.query(keys)) == {n: p["jira_key"] for n, p in prs.items()}
    shared = "SELECT count(*) FROM metrics_jiraissue WHERE summary LIKE '%UTF-8%'"
    assert project.query(shared) == [(3,)]  # PRs 1, 2 and 6 each have their own issue
    ai = "SELECT github_sha, ai_co_authors::text FROM metrics_commit WHERE is_ai_assisted ORDER BY 1"
    assert [(sha[:2], tools) for sha, tools in project.query(ai)] == [
        ("d2", '["claude"]'),
        ("d3", '["copilot"]'),
        ("d6", '["aider", "claude"]'),
    ]

    project.transform(2)  # PR 1 retitled "FTL-9 Handle UTF-8 file names"
    project.load()
    assert project.query("SELECT jira_key FROM metrics_pullrequest WHERE github_pr_id = 1") == [("FTL-9",)]
    assert project.query("SELECT summary FROM metrics_jiraissue WHERE jira_key = 'FTL-9'") == [
        ("FTL-9 Handle UTF-8 file names",)
    ]


# --- Product names, versions and standards that look like Jira keys -----------------------------


def test_versions_and_standards_are_not_jira_keys(tmp_path: Path, schema_url: str) -> None:
    project = Project(tmp_path, "versions", schema_url)
    build = project.transform(1)

    prs = rows(build, "metrics_pullrequest", "github_pr_id")
    keys = {n: p["jira_key"] for n, p in prs.items()}
    assert keys == {
        1: "",  # GPT-4o: no word boundary after the digits (was GPT-4)
        2: "",  # GPT-4 at the title start: a product, not a ticket (was GPT-4, PR 1's issue)
        3: "",  # SOC-2
        4: "",  # MPEG-4 in the title and the branch
        5: "",  # FIPS-140, USB-3
        6: "",  # K8S-1
        7: "",  # lowercase vexa-3 in a title: the product's version (was VEXA-3)
        8: "",  # Vexa-3.12 (was VEXA-3, shared with PR 7)
        9: "",  # branch feat/vexa-4-compat: the product name in lowercase (was VEXA-4)
        10: "",  # vexa-1.46.3 (was VEXA-1)
        11: "VEXA-21",
        12: "VEXA-21",  # feature/VEXA-21-followup: the same ticket
        13: "OPS-7",  # another project's ticket in brackets
    }
    issues = rows(build, "metrics_jiraissue", "jira_key")
    assert sorted(issues) == sorted(["VEXA-21", "OPS-7", *(f"VEXA-{1_000_000 + n}" for n in range(1, 11))])
    assert issues["VEXA-21"]["summary"] == "VEXA-21 cache layers"

    project.load()
    loaded = "SELECT github_pr_id, jira_key FROM metrics_pullrequest ORDER BY 1"
    assert dict(project.query(loaded)) == keys
    gpt = "SELECT count(DISTINCT jira_key) FROM metrics_jiraissue WHERE summary LIKE '%GPT-4%'"
    assert project.query(gpt) == [(2,)]  # PRs 1 and 2 each have their own issue
    assert project.query("SELECT count(*) FROM metrics_jiraissue") == [(12,)]

    project.transform(2)  # PR 1 retitled "[VEXA-30] Use GPT-4o for summaries"
    project.load()
    assert project.query("SELECT jira_key FROM metrics_pullrequest WHERE github_pr_id = 1") == [("VEXA-30",)]
    assert project.query("SELECT summary FROM metrics_jiraissue WHERE jira_key = 'VEXA-30'") == [
        ("[VEXA-30] Use GPT-4o for summaries",)
    ]
