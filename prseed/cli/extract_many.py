"""``prseed extract --all`` / ``--tier`` / several keys / ``--shard``: many projects, one governor."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from prseed.cli.common import echo, note, quiet, stage_errors
from prseed.cli.extract_cmd import _ProgressLine, plan_data, project_config, read_tokens, summary_data
from prseed.cli.options import config_values
from prseed.console import INTERRUPTED_EXIT
from prseed.errors import ConfigError
from prseed.extract import ExtractConfig, ProgressSink, check_run, plan
from prseed.multi import Outcome, RunState, exit_code, parse_shard, run_projects, select_shard, state_path
from prseed.registry import get_project, load_registry

_INTERRUPTED = (
    "interrupted; finished projects and the running project's fetched batches are kept: run the same "
    "command with --resume to continue the run"
)


def select_keys(projects: tuple[str, ...], all_projects: bool, tiers: tuple[str, ...]) -> list[str]:
    """The selected project keys in registry order (``--all``, ``--tier``) or as given.

    ``--all`` leaves out synthetic projects: their data comes from the fake GitHub, not GitHub.

    Raises:
        ConfigError: no or several ways of selecting, or an unknown key.
    """
    ways = sum((bool(projects), all_projects, bool(tiers)))
    if ways != 1:
        raise ConfigError(
            "select projects one way: PROJECT keys, --all or --tier (with --shard I/N to split)"
        )
    registry = load_registry()
    if all_projects:
        return [k for k, p in registry.items() if p.tier != "synthetic"]
    if tiers:
        return [k for k, p in registry.items() if p.tier in tiers]
    return list(dict.fromkeys(get_project(k).key for k in projects))


def extract_many(
    projects: tuple[str, ...],
    all_projects: bool,
    tiers: tuple[str, ...],
    shard: str | None,
    repos: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    options: dict[str, Any],
) -> None:
    """Run the multi-project form of ``prseed extract`` (see the command's help)."""
    with stage_errors(_INTERRUPTED):
        values = config_values(ExtractConfig, options)
        if values["resume"] and values["fresh"]:
            raise ConfigError("--resume and --fresh exclude each other")
        if repos:
            raise ConfigError(
                "--repo extracts one ad-hoc project: use registry PROJECT keys, --all or --tier"
            )
        keys = select_shard(select_keys(projects, all_projects, tiers), parse_shard(shard) if shard else None)
        root = Path(values["out_dir"] or "snapshots")
        if not keys:
            note(f"shard {shard} holds none of the selected projects: nothing to do")
            if as_json:
                echo("[]")
            return
        path = state_path(root, keys)
        state = RunState.load(path, keys) if values["resume"] else RunState(path, list(keys))
        tokens = read_tokens()
        configs = []
        for key in keys:
            proj = get_project(key)
            since = values["since"] or _stored_since(state, key)
            config = project_config(proj, {**values, "since": since, "out_dir": root / key}, tokens)
            assert config.since is not None
            state.windows.setdefault(key, {"since": config.since.isoformat()})
            configs.append(config)
        if dry_run:
            for config in configs:
                check_run(config)  # report now what the run would refuse
            if as_json:
                echo(json.dumps([plan_data(c) for c in configs], indent=2))
            else:
                echo("\n\n".join(plan(c) for c in configs))
            return
        from prseed.extract.memory import limit_allocator_retention

        limit_allocator_retention()
        draw = not quiet() and sys.stderr.isatty()

        def progress(index: int, config: ExtractConfig) -> ProgressSink | None:
            note(f"[{index + 1}/{len(configs)}] {config.project['key']} -> {config.out_dir}")
            return _ProgressLine(draw)

        try:
            outcomes = run_projects(configs, state, progress=progress)
        except KeyboardInterrupt:
            echo(f"prseed: {_INTERRUPTED} (run state {state.path})", err=True, fg="yellow")
            sys.exit(INTERRUPTED_EXIT)
    code = exit_code(outcomes)
    if code == 0:
        state.remove()
    if as_json:
        echo(json.dumps([_outcome_data(o) for o in outcomes], indent=2))
    else:
        echo(many_summary(outcomes))
    if code:
        note(f"run state kept in {state.path}: the same command with --resume retries the failed projects")
        sys.exit(code)


def _stored_since(state: RunState, key: str) -> date | None:
    stored = state.windows.get(key, {}).get("since")
    return date.fromisoformat(stored) if stored else None


def _outcome_data(outcome: Outcome) -> dict[str, Any]:
    return {
        "project": outcome.key,
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "error": outcome.error or None,
        "summary": summary_data(outcome.result) if outcome.result else None,
    }


def many_summary(outcomes: list[Outcome]) -> str:
    """The end summary of a multi-project run: one line per project, then the totals."""
    lines = []
    for o in outcomes:
        if o.result is not None:
            r = o.result
            lines.append(
                f"ok       {o.key}: {r.prs} PRs, {r.requests} requests, waits {r.waits} "
                f"({r.wait_seconds:.1f} s), {r.seconds:.1f} s -> {r.out_dir}"
                + (" (refreshed)" if r.mode == "refresh" else "")
            )
            if r.mode_note:
                lines.append(f"         {r.mode_note}")
            lines.extend(f"         warning: {line}" for line in r.warnings)
        elif o.status == "skipped":
            lines.append(f"skipped  {o.key}: extracted earlier in this run")
        else:
            lines.append(f"FAILED   {o.key} (exit {o.exit_code}): {o.error}")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("extracted", "skipped", "failed", "not run")}
    failed = [o.key for o in outcomes if o.status in ("failed", "not run")]
    lines.append(
        f"{len(outcomes)} projects: {counts['extracted']} extracted, {counts['skipped']} skipped, "
        f"{counts['failed'] + counts['not run']} failed" + (f" ({', '.join(failed)})" if failed else "")
    )
    return "\n".join(lines)
