"""Many projects in one extract run (issue 14): --all, one governor, --resume, --shard, the PR body.

The real CLI against the fake GitHub over HTTP; a test registry through ``PRSEED_PROJECTS``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract.workdir import work_dir

from prseed.cli import cli
from prseed.contracts import verify_dataset
from prseed.multi import parse_shard, select_shard, shard_of, state_path
from prseed.registry import load_registry
from prseed.snapshots import changes_markdown, snapshot_changes
from tests.fakegithub import FakeGitHub, Faults, generate_repo

TOKEN = "fake-many-token-0123456789abcdef"
PRSEED = str(Path(sys.executable).parent / "prseed")

# Registry entries: key -> (tier, repository). "gone" names a repository the fake does not serve.
PROJECTS = {
    "alpha": ("first-class", "octo-org/alpha"),
    "gone": ("registry", "octo-org/gone"),
    "beta": ("registry", "octo-org/beta"),
    "delta": ("registry", "octo-org/delta"),
    "fake": ("synthetic", "octo-org/fake"),
}


def write_registry(path: Path, keys: list[str]) -> Path:
    blocks = []
    for key in keys:
        tier, repo = PROJECTS[key]
        blocks.append(
            f'[projects.{key}]\ntier = "{tier}"\nrepos = ["{repo}"]\nteam_name = "{key.title()}"\n'
            f'team_slug = "{key}-demo"\nmax_prs = 500\nmax_members = 5\ndays_back = 3650\n'
            f'jira_project_key = "{key[:3].upper()}"\nai_base_adoption_rate = 0.4\n'
            f'survey_response_rate = 0.6\nindustry = "software"\ndescription = "{key}"\n'
            + ("synthetic = true\n" if tier == "synthetic" else "")
        )
    path.write_text("\n".join(blocks))
    return path


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A test registry (alpha, gone, beta, fake) for the in-process CLI."""

    def use(keys: list[str]) -> Path:
        path = write_registry(tmp_path / "projects.toml", keys)
        monkeypatch.setenv("PRSEED_PROJECTS", str(path))
        load_registry.cache_clear()
        return path

    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_TOKEN", "GITHUB_SEEDING_TOKENS", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    yield use
    load_registry.cache_clear()


def repos(*keys: str, n_prs: int = 8):
    return [generate_repo(PROJECTS[k][1], n_prs=n_prs, seed=20 + i) for i, k in enumerate(keys)]


def args(gh: FakeGitHub, *extra: str) -> list[str]:
    return [
        "extract",
        *extra,
        "--out",
        "snaps",
        "--api-url",
        gh.url,
        "--api",
        "rest",
        "--batch-delay",
        "0",
        "--no-commit-stats",
        "--points-per-minute",
        "100000",
        "--batch-size",
        "2",
    ]


def logged(gh: FakeGitHub, repo: str) -> list[str]:
    return [
        line for line in gh.stats.request_log if f"/repos/{repo}/" in line or line.endswith(f"/repos/{repo}")
    ]


def test_all_reports_a_failing_project_and_extracts_the_others(registry, tmp_path, monkeypatch):
    registry(["alpha", "gone", "beta", "fake"])
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with FakeGitHub(repos=repos("alpha", "beta"), tokens={TOKEN}) as gh:
        result = CliRunner().invoke(cli, args(gh, "--all"))
        assert result.exit_code == 4, result.output  # the failure's own code: not found
        lines = result.output.splitlines()
        assert any(line.startswith("ok       alpha: 8 PRs") for line in lines), result.output
        assert any(line.startswith("ok       beta: 8 PRs") for line in lines), result.output
        assert any(
            line.startswith("FAILED   gone (exit 4):") and "octo-org/gone" in line for line in lines
        ), result.output
        assert "3 projects: 2 extracted, 0 skipped, 1 failed (gone)" in result.output
        assert "fake" not in result.output  # --all leaves synthetic projects out
        assert gh.stats.violations == 0
        for key in ("alpha", "beta"):
            assert verify_dataset(tmp_path / "snaps" / key, "snapshot")["project"]["key"] == key
        assert not (tmp_path / "snaps" / "gone").exists()
        state_file = state_path(tmp_path / "snaps", ["alpha", "gone", "beta"])
        state = json.loads(state_file.read_text())
        assert (state["done"], list(state["failed"]), state["current"]) == (["alpha", "beta"], ["gone"], "")
        assert TOKEN not in state_file.read_text() and TOKEN not in result.output

        # --resume retries only the failed project: nothing of alpha or beta is asked again.
        gh.reset_stats()
        again = CliRunner().invoke(cli, args(gh, "--all", "--resume"))
        assert again.exit_code == 4, again.output
        assert "skipped  alpha: extracted earlier in this run" in again.output
        assert "skipped  beta: extracted earlier in this run" in again.output
        assert logged(gh, "octo-org/alpha") == logged(gh, "octo-org/beta") == []
        assert logged(gh, "octo-org/gone")


def test_json_summary_and_explicit_keys(registry, tmp_path, monkeypatch):
    registry(["alpha", "beta"])
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with FakeGitHub(repos=repos("alpha", "beta"), tokens={TOKEN}) as gh:
        result = CliRunner().invoke(cli, [*args(gh, "beta", "alpha", "beta"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(d["project"], d["status"], d["summary"]["prs"]) for d in data] == [
        ("beta", "extracted", 8),
        ("alpha", "extracted", 8),
    ]
    # A run without failures leaves no run state behind.
    assert not list((tmp_path / "snaps").glob(".run-*.json"))


def test_selection_errors(registry):
    registry(["alpha", "beta"])
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", "--all", "alpha"])
    assert result.exit_code == 2 and "select projects one way" in result.output
    result = runner.invoke(cli, ["extract", "--all", "--shard", "0/2"])
    assert result.exit_code == 2 and "--shard '0/2' must be I/N" in result.output
    result = runner.invoke(cli, ["extract", "alpha", "nope"])
    assert result.exit_code == 2 and "unknown project 'nope'" in result.output
    result = runner.invoke(
        cli,
        ["extract", "--tier", "first-class", "--dry-run", "--json"],
        env={"GITHUB_TOKEN": "ghp_dry_run_only"},
    )
    assert result.exit_code == 0 and [p["project"] for p in json.loads(result.stdout)] == ["alpha"]


def test_one_governor_a_spent_token_is_not_tried_again(registry, tmp_path, monkeypatch):
    spent, fresh = "ghp_many_spent_token", "ghp_many_fresh_token"
    registry(["alpha", "beta"])
    monkeypatch.setenv("GITHUB_SEEDING_TOKENS", f"{spent},{fresh}")
    faults = Faults(core_limit=300, reset_seconds=3600)
    with FakeGitHub(repos=repos("alpha", "beta"), tokens={spent, fresh}, faults=faults) as gh:
        import requests

        with requests.Session() as session:
            for _ in range(300):
                session.get(f"{gh.url}/repos/octo-org/alpha", headers={"Authorization": f"Bearer {spent}"})
        gh.reset_stats()
        result = CliRunner().invoke(cli, args(gh, "--all"))
        assert result.exit_code == 0, result.output
        assert gh.stats.violations == 0 and gh.stats.rate_limited == 0, gh.stats.violation_log[:3]
        # The first project asks each token for its budget (free); the second one knows them
        # from the shared governor and sends nothing at all on the spent token.
        assert gh.stats.by_kind["rate-limit"] == 2
    oks = [line for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert len(oks) == 2 and all("waits 0 (0.0 s)" in line for line in oks), result.stdout


def test_resume_after_kill_continues_the_interrupted_project(tmp_path):
    path = write_registry(tmp_path / "projects.toml", ["alpha", "beta", "delta"])
    env = {
        "GITHUB_TOKEN": TOKEN,
        "PATH": "/usr/bin:/bin",
        "PRSEED_PROJECTS": str(path),
        "PYTHONPATH": os.getcwd(),
    }
    served = repos("alpha", "beta", "delta", n_prs=14)
    snaps = tmp_path / "snaps"
    state_file = state_path(snaps, ["alpha", "beta", "delta"])
    checkpoint = work_dir(snaps / "beta") / "checkpoint.json"
    with FakeGitHub(repos=served, tokens={TOKEN}, latency=0.01) as gh:
        command = [PRSEED, *args(gh, "--all", "--quiet")]
        proc = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        while proc.poll() is None:
            try:
                done = json.loads(checkpoint.read_text())["done_batches"]
                state = json.loads(state_file.read_text())
            except (OSError, ValueError, KeyError):
                continue
            if done and state["current"] == "beta":
                proc.kill()
                break
        proc.wait()
        assert proc.returncode == -9, proc.stderr.read().decode() if proc.stderr else ""
        assert json.loads(state_file.read_text())["done"] == ["alpha"]
        gh.reset_stats()
        final = subprocess.run([*command, "--resume"], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert final.returncode == 0, final.stderr
        assert gh.stats.violations == 0
        assert logged(gh, "octo-org/alpha") == []  # finished before the kill: not extracted again
        beta = logged(gh, "octo-org/beta")
        assert beta and not [line for line in beta if "/pulls?" in line]  # continued: no new listing
        assert [line for line in logged(gh, "octo-org/delta") if "/pulls?" in line]
    assert "skipped  alpha" in final.stdout and "ok       beta" in final.stdout
    for key in ("alpha", "beta", "delta"):
        assert verify_dataset(snaps / key, "snapshot")["tables"]["pull_requests"]["rows"] == 14
    assert not state_file.exists()
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert TOKEN.encode() not in file.read_bytes(), file


KEYS = [f"project-{i}" for i in range(60)] + ["polar", "fastapi", "gumroad", "posthog"]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_shards_are_complete_disjoint_and_stable(n):
    shards = [select_shard(KEYS, (i, n)) for i in range(1, n + 1)]
    assert sorted(k for s in shards for k in s) == sorted(KEYS)  # every project in exactly one shard
    assert all(shards) or n > len(KEYS)
    # Registry order does not matter; a new project moves no other one.
    assert [sorted(select_shard(reversed(KEYS), (i, n))) for i in range(1, n + 1)] == [
        sorted(s) for s in shards
    ]
    grown = [*KEYS, "newcomer"]
    for i in range(1, n + 1):
        assert set(select_shard(grown, (i, n))) - {"newcomer"} == set(shards[i - 1])
    assert shard_of("polar", 1) == 1


def test_one_more_shard_moves_only_projects_to_the_new_shard():
    for n in range(1, 6):
        for key in KEYS:
            after = shard_of(key, n + 1)
            assert after in (shard_of(key, n), n + 1)


def test_parse_shard():
    assert parse_shard("2/4") == (2, 4) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad in ("0/3", "4/3", "1", "a/b", "1/0", "-1/2"):
        with pytest.raises(Exception, match="must be I/N"):
            parse_shard(bad)


def test_pr_body_for_a_known_refresh(registry, tmp_path, monkeypatch):
    registry(["alpha", "beta"])
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with FakeGitHub(repos=repos("alpha", "beta"), tokens={TOKEN}) as gh:
        assert CliRunner().invoke(cli, args(gh, "alpha", "beta")).exit_code == 0
        (tmp_path / "old").mkdir()
        (tmp_path / "snaps" / "alpha").rename(tmp_path / "old" / "alpha")
        (tmp_path / "snaps" / "beta").rename(tmp_path / "old" / "beta")
        with gh.mutate("octo-org/alpha") as m:
            m.edit_title(3, "A better title")
            m.advance(hours=1)
            added = m.add_prs(2)
        result = CliRunner().invoke(cli, [*args(gh, "alpha", "beta")])
        assert result.exit_code == 0, result.output
    body = CliRunner().invoke(cli, ["snapshot", "changes", "old", "snaps"])
    assert body.exit_code == 0, body.output
    expected = (
        "## Snapshot refresh\n"
        "\n"
        "2 projects: 0 new, 1 changed, 1 unchanged.\n"
        "\n"
        "| project | PRs | added | changed | removed | contributors |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        "| alpha | 8 → 10 | 2 | 1 | 0 | +0 / -0 |\n"
        "\n"
        "Unchanged: beta.\n"
        "\n"
        "<details><summary>alpha: PRs that changed</summary>\n"
        "\n"
        f"- added octo-org/alpha#{added[0]}\n"
        f"- added octo-org/alpha#{added[1]}\n"
        "- changed octo-org/alpha#3: pull request\n"
        "\n"
        "</details>\n"
        "\n"
        "Review one project locally with `prseed snapshot diff OLD NEW`.\n"
    )
    assert body.output == expected
    # A project with no snapshot before is new; a root without snapshots says so.
    # Its contributors are all new too (t14 #12: not "+0 / -0").
    new_only = changes_markdown(snapshot_changes(tmp_path / "nothing", tmp_path / "snaps"))
    people = pq.read_metadata(tmp_path / "snaps" / "alpha" / "contributors.parquet").num_rows
    assert people > 0 and f"| alpha (new) | 0 → 10 | 10 | 0 | 0 | +{people} / -0 |" in new_only
    assert "2 projects: 2 new, 0 changed, 0 unchanged." in new_only
    assert "No snapshot was refreshed." in changes_markdown([])
    # A project whose refresh failed keeps its committed folder (no diff): listed as failed (t14 #8).
    outcomes = tmp_path / "outcomes.json"
    outcomes.write_text(
        json.dumps(
            [
                {"project": "alpha", "status": "extracted", "exit_code": 0, "error": None},
                {
                    "project": "beta",
                    "status": "failed",
                    "exit_code": 4,
                    "error": "octo-org/beta: 404 Not Found",
                },
            ]
        )
    )
    body = CliRunner().invoke(cli, ["snapshot", "changes", "old", "snaps", "--outcomes", str(outcomes)])
    assert body.exit_code == 0, body.output
    assert "2 projects: 0 new, 1 changed, 0 unchanged, 1 failed.\n" in body.output
    assert "- beta: exit 4: octo-org/beta: 404 Not Found\n" in body.output
    assert "Unchanged" not in body.output and "**Failed**" in body.output
    outcomes.write_text("")
    bad = CliRunner().invoke(cli, ["snapshot", "changes", "old", "snaps", "--outcomes", str(outcomes)])
    assert bad.exit_code == 2 and "--outcomes" in bad.output


def test_a_secondary_block_carries_over_to_the_next_run(tmp_path):
    """What no /rate_limit answer tells: a token blocked by a secondary limit stays unused."""
    from prseed.extract import ExtractConfig, run
    from prseed.extract.pipeline import new_governor

    from prseed.registry import adhoc_project

    blocked, other = "ghp_many_blocked_token", "ghp_many_other_token"
    served = repos("alpha", "beta")
    with FakeGitHub(repos=served, tokens={blocked, other}) as gh:
        configs = [
            ExtractConfig(
                project=adhoc_project(PROJECTS[key][1]).manifest_block(),
                out_dir=tmp_path / key,
                tokens=(blocked, other),
                api_url=gh.url,
                batch_delay=0.0,
                points_per_minute=100_000,
                commit_stats=False,
                synthetic=True,
            )
            for key in ("alpha", "beta")
        ]
        governor = new_governor(configs[0])
        run(configs[0], governor=governor)
        # As if GitHub had answered the first run's last request on token 0 with retry-after.
        governor.secondary_limited(0, retry_after=3600)
        before = gh._state(blocked).used
        result = run(configs[1], governor=governor)
        assert gh._state(blocked).used == before  # nothing more on the blocked token
        assert gh._state(other).used > 0 and gh.stats.violations == 0
    assert result.prs == 8 and result.waits == 0


def test_pr_body_stays_under_githubs_limit():
    from prseed.snapshots import CHANGES_MAX_CHARS, FolderChange, SnapshotDiff

    changes = [
        FolderChange(
            f"project-{i:03d}",
            SnapshotDiff(
                changed={(f"octo-org/repository-{i}", n): ["commits", "reviews"] for n in range(30)}
            ),
            False,
            (500, 500),
        )
        for i in range(300)
    ]
    body = changes_markdown(changes)
    assert len(body) <= CHANGES_MAX_CHARS
    assert "| project-299 | 500 → 500 | 0 | 30 | 0 | +0 / -0 |" in body  # the table lists every project
    assert "- ... and 5 more" in body
    assert "more projects are left out (pull request bodies are capped)." in body
    assert body.endswith("Review one project locally with `prseed snapshot diff OLD NEW`.\n")


def test_a_rejected_token_stops_the_run(registry, tmp_path, monkeypatch):
    registry(["alpha", "beta"])
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_accepted_token")
    with FakeGitHub(repos=repos("alpha", "beta"), tokens={TOKEN}) as gh:
        result = CliRunner().invoke(cli, args(gh, "--all"))
        assert logged(gh, "octo-org/beta") == []  # the same token would fail every project
    assert result.exit_code == 3, result.output
    assert "FAILED   alpha (exit 3):" in result.stdout
    assert "FAILED   beta (exit 3): not run:" in result.stdout
    assert "2 projects: 0 extracted, 0 skipped, 2 failed (alpha, beta)" in result.stdout


def test_ctrl_c_keeps_the_run_state_and_says_how_to_continue(tmp_path):
    import signal

    path = write_registry(tmp_path / "projects.toml", ["alpha", "beta"])
    env = {
        "GITHUB_TOKEN": TOKEN,
        "PATH": "/usr/bin:/bin",
        "PRSEED_PROJECTS": str(path),
        "PYTHONPATH": os.getcwd(),
    }
    state_file = state_path(tmp_path / "snaps", ["alpha", "beta"])
    with FakeGitHub(repos=repos("alpha", "beta", n_prs=14), tokens={TOKEN}, latency=0.01) as gh:
        command = [PRSEED, *args(gh, "alpha", "beta")]
        proc = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        while proc.poll() is None:
            try:
                state = json.loads(state_file.read_text())
            except (OSError, ValueError):
                continue
            if state["done"] == ["alpha"]:
                proc.send_signal(signal.SIGINT)
                break
        _, err = proc.communicate()
        assert proc.returncode == 130, err.decode()
        assert "--resume to continue the run" in err.decode() and f"snaps/{state_file.name}" in err.decode()
        final = subprocess.run([*command, "--resume"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert "skipped  alpha" in final.stdout
