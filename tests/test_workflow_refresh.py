"""The refresh workflow's own shell steps, run here as GitHub would run them (bash -e).

.github/workflows/refresh-snapshots.yml: a missing token secret fails the job at once (t14 #7),
and the pull request body lists projects whose refresh failed rather than calling them
unchanged (t14 #8).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "refresh-snapshots.yml"
BIN = str(Path(sys.executable).parent)


def _step(job: str, name: str) -> dict[str, Any]:
    steps = YAML(typ="safe").load(WORKFLOW.read_text())["jobs"][job]["steps"]
    return next(s for s in steps if s.get("name", "").startswith(name))


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    base["PATH"] = f"{BIN}:{base['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", script], env={**base, **env}, cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("tokens", ["", " , ", "\n"])
def test_a_missing_token_secret_fails_the_job_at_once(tmp_path: Path, tokens: str) -> None:
    step = _step("refresh", "check this shard's token secret")
    assert step["env"]["GITHUB_SEEDING_TOKENS"] == "${{ secrets[format('SEEDING_TOKEN_{0}', matrix.shard)] }}"
    env = {"GITHUB_SEEDING_TOKENS": tokens, "SECRET": "SEEDING_TOKEN_2"}
    failed = _bash(step["run"], env, tmp_path)
    assert (
        failed.returncode == 1 and "::error::the secret SEEDING_TOKEN_2 is missing or empty" in failed.stdout
    )
    assert _bash(step["run"], {**env, "GITHUB_SEEDING_TOKENS": "ghp_one,ghp_two"}, tmp_path).returncode == 0
    steps = YAML(typ="safe").load(WORKFLOW.read_text())["jobs"]["refresh"]["steps"]
    assert steps[0] is not None and steps[0]["name"] == step["name"]  # before anything else


def test_the_pull_request_body_lists_failed_projects(tmp_path: Path) -> None:
    for root in ("snapshots", "refreshed"):
        shutil.copytree(ROOT / "snapshots" / "demo", tmp_path / root / "demo")
    (tmp_path / "outcomes").mkdir()
    failed = [{"project": "demo", "status": "failed", "exit_code": 4, "error": "acme/app: 404 Not Found"}]
    (tmp_path / "outcomes" / "shard-1.json").write_text(json.dumps(failed))
    (tmp_path / "outcomes" / "shard-2.json").write_text("")  # a shard that stopped before its outcomes
    env = {
        "RUNNER_TEMP": str(tmp_path),
        "REFRESH_RESULT": "failure",
        "RUN_URL": "https://github.com/o/r/actions/runs/1",
    }
    done = _bash(_step("pull-request", "write the pull request body")["run"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    body = (tmp_path / "pr-body.md").read_text()
    assert "1 projects: 0 new, 0 changed, 0 unchanged, 1 failed." in body
    assert "- demo: exit 4: acme/app: 404 Not Found" in body and "Unchanged" not in body
    assert body.rstrip().endswith("see [the run](https://github.com/o/r/actions/runs/1).")
    # the failed project's committed snapshot stays
    assert (tmp_path / "snapshots" / "demo" / "manifest.json").read_bytes() == (
        ROOT / "snapshots" / "demo" / "manifest.json"
    ).read_bytes()
