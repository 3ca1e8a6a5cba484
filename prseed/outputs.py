"""Output folders: prseed replaces only folders it made, never a user's files.

Extract and transform write a complete new folder beside their output and swap it in (see
:func:`prseed.contracts.replace_dir_atomically`), which removes whatever the output folder held.
So before any work starts, :func:`check_output_dir` refuses an output that is anything but a new
folder, an empty one, or a prseed dataset of the same kind.
"""

from __future__ import annotations

import json
from pathlib import Path

from prseed.contracts import Stage
from prseed.errors import ConfigError

_KIND = {"snapshot": "prseed-snapshot", "build": "prseed-build"}
_PARENT = {"snapshot": "snapshots", "build": "build"}


def dataset_kind(folder: Path) -> str | None:
    """The ``kind`` of a folder's ``manifest.json`` (``prseed-snapshot``, ``prseed-build``), or None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    kind = manifest.get("kind") if isinstance(manifest, dict) else None
    return kind if isinstance(kind, str) else None


def check_output_dir(out_dir: Path, stage: Stage, option: str = "--out") -> Path:
    """Return ``out_dir`` if a ``stage`` dataset may be written there, replacing what it holds.

    Allowed: a folder that does not exist, an empty folder, or a prseed dataset of the same
    kind (a previous snapshot or build). Refused: the current folder or one above it, a file,
    and any other non-empty folder (a snapshot where a build goes, a user's notes).

    Raises:
        ConfigError: naming the folder and the fix (exit 2).
    """
    noun = "snapshot" if stage == "snapshot" else "build"
    resolved = out_dir.expanduser().resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise ConfigError(
            f"{option} {out_dir} is the current folder or holds it; prseed replaces its output folder "
            f"as a whole: pass a new or empty folder, e.g. {option} {_PARENT[stage]}/NAME"
        )
    if not resolved.exists():
        above = next(p for p in resolved.parents if p.exists())
        if not above.is_dir():
            raise ConfigError(f"{option} {out_dir}: {above} is a file, not a folder; pass another {option}")
        return out_dir
    if not resolved.is_dir():
        raise ConfigError(f"{option} {out_dir} exists and is not a folder; pass another {option}")
    if not any(resolved.iterdir()):
        return out_dir
    kind = dataset_kind(resolved)
    if kind == _KIND[stage]:
        return out_dir
    what = {v: f"a prseed {k}" for k, v in _KIND.items()}.get(
        kind or "", "files that are not a prseed " + noun
    )
    raise ConfigError(
        f"{noun} folder {out_dir} is not empty and holds {what}, which writing the {noun} there would "
        f"delete; choose a new or empty folder ({option}), or the folder of an earlier {noun}"
    )
