"""Many projects in one extract run: the selection, the shard split and the resumable run state.

``prseed extract --all`` (or several keys, or ``--tier``) extracts the selected projects one after
the other through ONE governor, so what a project learned about each token's budgets and
secondary-limit blocks holds for the next one: a token spent by one project is not tried by the
next before its reset. A project that fails is recorded and the run goes on; the run state
(``<root>/.run-<selection hash>.json``, written atomically, never holding a token) lets
``--resume`` skip the projects the run already finished and continue the interrupted one from its
work folder.

``--shard i/n`` keeps the projects whose rendezvous hash picks shard ``i`` of ``n``: each key is
placed on the shard ``j`` with the highest ``sha256(key:j)``, so the split depends on nothing
but the key and ``n`` (not on the registry's order), a new project lands on one shard without
moving any other, and going from ``n`` to ``n + 1`` shards moves only about ``1/(n + 1)`` of them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prseed.contracts import write_bytes_atomic
from prseed.errors import AuthError, ConfigError, PrseedError

if TYPE_CHECKING:
    from prseed.extract import ExtractConfig, ExtractResult, ProgressSink
    from prseed.extract.governor import Governor

#: Exit code of a file-system error inside one project (as the CLI maps it for one project).
FILE_SYSTEM_EXIT = 2


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> ``(i, n)`` with ``1 <= i <= n``.

    Raises:
        ConfigError: not of that form.
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ConfigError(f"--shard {text!r} must be I/N with 1 <= I <= N, e.g. --shard 2/4")
    return int(match[1]), int(match[2])


def shard_of(key: str, n: int) -> int:
    """The shard (1..n) a project key belongs to: rendezvous (highest random weight) hashing."""
    return max(range(1, n + 1), key=lambda j: hashlib.sha256(f"{key}:{j}".encode()).digest())


def select_shard(keys: Iterable[str], shard: tuple[int, int] | None) -> list[str]:
    """The keys of ``shard`` (``(i, n)``), in their given order; all keys without a shard."""
    if shard is None:
        return list(keys)
    i, n = shard
    return [k for k in keys if shard_of(k, n) == i]


def state_path(root: Path, keys: Sequence[str]) -> Path:
    """Where the run state of a selection lives: beside the snapshot folders, named by its hash."""
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:12]
    return root / f".run-{digest}.json"


@dataclass
class RunState:
    """What a multi-project run has done so far (JSON on disk; no tokens, only keys and windows).

    Attributes:
        path: the state file.
        selection: the project keys of the run, in order.
        done: keys extracted completely by this run.
        failed: key -> ``{"exit_code": int, "error": str}`` of projects that failed.
        windows: key -> ``{"since": "YYYY-MM-DD"}``: the window each project got first, so a
            resume on a later day continues the same extract.
        current: the key being extracted when the state was last written ("" between projects).
    """

    path: Path
    selection: list[str]
    done: list[str] = field(default_factory=list)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: str = ""

    @classmethod
    def load(cls, path: Path, selection: list[str]) -> RunState:
        """The state at ``path``, or a new one when there is none.

        Raises:
            ConfigError: the file is unreadable or belongs to another selection.
        """
        if not path.is_file():
            return cls(path, list(selection))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            state = cls(
                path,
                list(data["selection"]),
                list(data["done"]),
                dict(data["failed"]),
                dict(data["windows"]),
                str(data.get("current", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"run state {path} is unreadable ({exc}); delete it to start over") from exc
        if sorted(state.selection) != sorted(selection):
            raise ConfigError(f"run state {path} belongs to another selection; delete it to start over")
        return state

    def save(self) -> None:
        """Write the state atomically."""
        data = {
            "kind": "prseed-extract-run",
            "selection": self.selection,
            "done": self.done,
            "failed": self.failed,
            "windows": self.windows,
            "current": self.current,
        }
        write_bytes_atomic(self.path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())

    def remove(self) -> None:
        """Delete the state file (the run finished without failures: nothing to resume)."""
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Outcome:
    """What happened to one project of the run.

    Attributes:
        key: the project key.
        status: ``extracted``, ``skipped`` (finished earlier in this run), ``failed`` or
            ``not run`` (the run stopped first, e.g. the token was rejected).
        exit_code: the failure's exit code (0 otherwise).
        error: the failure's one-line message.
        result: the extract's result when extracted.
    """

    key: str
    status: str
    exit_code: int = 0
    error: str = ""
    result: ExtractResult | None = None


def run_projects(
    configs: Sequence[ExtractConfig],
    state: RunState,
    *,
    governor: Governor | None = None,
    progress: Callable[[int, ExtractConfig], ProgressSink | None] | None = None,
) -> list[Outcome]:
    """Extract each project in turn through one governor; a failure does not stop the others.

    Projects the state lists as done are skipped. The state is written before and after each
    project, so a killed run resumes where it stopped. An authentication failure stops the run
    (the same token would fail every project); the rest are reported ``not run``.

    Args:
        configs: one extract config per project, all with the same tokens and pacing options.
        state: the run state (loaded for ``--resume``, else new).
        governor: the shared governor (default: one built from the first config).
        progress: ``(index, config)`` -> the progress sink for that project.

    Returns:
        One outcome per config, in order.

    Raises:
        KeyboardInterrupt: after writing the state.
    """
    from prseed.extract import run as run_extract
    from prseed.extract.pipeline import new_governor

    if governor is None and configs:
        governor = new_governor(configs[0])
    outcomes: list[Outcome] = []
    stopped: PrseedError | None = None
    for index, config in enumerate(configs):
        key = str(config.project["key"])
        if key in state.done:
            outcomes.append(Outcome(key, "skipped"))
            continue
        if stopped is not None:
            outcomes.append(Outcome(key, "not run", stopped.exit_code, f"not run: {stopped}"))
            continue
        state.current = key
        state.save()
        try:
            result = run_extract(config, progress(index, config) if progress else None, governor)
        except PrseedError as exc:
            outcomes.append(Outcome(key, "failed", exc.exit_code, str(exc)))
            state.failed[key] = {"exit_code": exc.exit_code, "error": str(exc)}
            if isinstance(exc, AuthError):
                stopped = exc
        except OSError as exc:
            outcomes.append(Outcome(key, "failed", FILE_SYSTEM_EXIT, f"file system error: {exc}"))
            state.failed[key] = {"exit_code": FILE_SYSTEM_EXIT, "error": str(exc)}
        else:
            outcomes.append(Outcome(key, "extracted", result=result))
            state.done.append(key)
            state.failed.pop(key, None)
        state.current = ""
        state.save()
    return outcomes


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """The run's exit code: 0 when no project failed, else the first failed project's code."""
    return next((o.exit_code for o in outcomes if o.status in ("failed", "not run")), 0)
