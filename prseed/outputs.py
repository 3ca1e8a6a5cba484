"""Output folders: prseed replaces only folders it made, never a user's files.

Extract and transform write a complete new folder beside their output and swap it in (see
:func:`prseed.contracts.replace_dir_atomically`), which removes whatever the output folder held.
So before any work starts, :func:`check_output_dir` refuses an output that is anything but a new
folder, an empty one, or a prseed dataset of the same kind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prseed.contracts import Stage
from prseed.errors import ConfigError

_KIND = {"snapshot": "prseed-snapshot", "build": "prseed-build"}
_PARENT = {"snapshot": "snapshots", "build": "build"}


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def dataset_kind(folder: Path) -> str | None:
    """The ``kind`` of a folder's ``manifest.json`` (``prseed-snapshot``, ``prseed-build``), or None."""
    kind = _manifest(folder).get("kind")
    return kind if isinstance(kind, str) else None


def _identity(manifest: Mapping[str, Any], stage: Stage) -> tuple[str, str] | None:
    """(project key, what else must match) of a snapshot or build manifest, None if unreadable.

    A snapshot is its project's key and repositories (lowercase, sorted: GitHub names are
    case-insensitive); a build is its project's key and team slug (the team it loads into).
    """
    if stage == "snapshot":
        block = manifest.get("project")
        if not isinstance(block, Mapping) or not isinstance(block.get("repos"), list):
            return None
        repos = sorted({str(r).lower() for r in block["repos"]})
        return str(block.get("key")), "repos " + ", ".join(repos)
    key, slug = manifest.get("project"), manifest.get("team_slug")
    if not isinstance(key, str) or not isinstance(slug, str):
        return None
    return key, f"team {slug}"


def project_identity(project: Mapping[str, Any], stage: Stage) -> tuple[str, str]:
    """What a ``stage`` dataset of ``project`` (a manifest project block) is identified by."""
    if stage == "snapshot":
        found = _identity({"project": project}, stage)
    else:
        found = _identity({"project": project["key"], "team_slug": project["team_slug"]}, stage)
    assert found is not None, project
    return found


def read_only_part(folder: Path) -> Path | None:
    """The first folder or file at or under ``folder`` this process may not write, or None.

    A user's ``chmod a-w`` protects a dataset: replacing it would silently undo that, and a
    folder whose entries cannot be deleted would leave its moved-aside copy behind for good.
    Checked with :func:`os.access` (the process's real permissions; root passes).
    """
    for root, dirs, files in os.walk(folder):
        for path in (root, *(os.path.join(root, name) for name in (*dirs, *files))):
            if not os.path.islink(path) and not os.access(path, os.W_OK):
                return Path(path)
    return None


def check_output_dir(
    out_dir: Path,
    stage: Stage,
    option: str = "--out",
    project: Mapping[str, Any] | None = None,
    default: bool = False,
) -> Path:
    """Return ``out_dir`` if a ``stage`` dataset may be written there, replacing what it holds.

    Allowed: a folder that does not exist, an empty folder, or a prseed dataset of the same
    kind of the same project (a previous snapshot or build). Refused: the current folder or one
    above it, a file, a folder with a read-only part or in a read-only parent (a user's
    ``chmod a-w``), any other non-empty folder (a snapshot where a build goes, a user's
    notes), and a dataset of another project (another key, other repositories, another team).

    Args:
        out_dir: the output folder.
        stage: the kind of dataset to write.
        option: the option that named the folder, for the error.
        project: the project block (snapshot manifest ``project``) of the dataset to write;
            None skips the same-project check.
        default: ``out_dir`` is the default output, not given by ``option``: the error says so.

    Raises:
        ConfigError: naming the folder and the fix (exit 2).
    """
    noun = "snapshot" if stage == "snapshot" else "build"
    # How the error names the folder: the option the user gave, or that it is the default.
    named = f"the default output folder {out_dir}" if default else f"{option} {out_dir}"
    tag = " (the default output)" if default else ""
    resolved = out_dir.expanduser().resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise ConfigError(
            f"{named} is the current folder or holds it; prseed replaces its output folder "
            f"as a whole: pass a new or empty folder, e.g. {option} {_PARENT[stage]}/NAME"
        )
    if not resolved.exists():
        # Named as the user wrote it (build, not /home/.../build) when that part of the path exists.
        above = next((p for p in out_dir.parents if p.exists()), None) or next(
            p for p in resolved.parents if p.exists()
        )
        if not above.is_dir():
            raise ConfigError(f"{named}: {above} is a file, not a folder; move it or pass another {option}")
        return out_dir
    if not resolved.is_dir():
        raise ConfigError(f"{named} exists and is not a folder; move it or pass another {option}")
    # Writing replaces the folder (a rename in its parent) and deletes the old one's entries.
    locked = read_only_part(resolved)
    if locked is None and not os.access(resolved.parent, os.W_OK):
        locked = resolved.parent
    if locked is not None:
        which = "it is" if locked == resolved else f"{locked} is"
        raise ConfigError(
            f"{noun} folder {out_dir}{tag} is protected: {which} read-only, and writing the {noun} "
            f"would replace it; make it writable (chmod -R u+w {out_dir}) or choose another folder ({option})"
        )
    if not any(resolved.iterdir()):
        return out_dir
    manifest = _manifest(resolved)
    kind = manifest.get("kind")
    if kind == _KIND[stage]:
        found = _identity(manifest, stage)
        if project is None or found is None:
            return out_dir
        wanted = project_identity(project, stage)
        if found == wanted:
            return out_dir
        raise ConfigError(
            f"{noun} folder {out_dir}{tag} holds project {found[0]!r} ({found[1]}), not {wanted[0]!r} "
            f"({wanted[1]}); writing there would replace it: choose another folder ({option})"
        )
    what = {v: f"a prseed {k}" for k, v in _KIND.items()}.get(
        kind or "", "files that are not a prseed " + noun
    )
    raise ConfigError(
        f"{noun} folder {out_dir}{tag} is not empty and holds {what}, which writing the {noun} there would "
        f"delete; choose a new or empty folder ({option}), or the folder of an earlier {noun}"
    )


def enclosing_dataset(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` whose manifest.json is a prseed snapshot or build, or None."""
    resolved = path.expanduser().resolve()
    for folder in (resolved, *resolved.parents):
        if folder.is_dir() and (dataset_kind(folder) or "") in _KIND.values():
            return folder
    return None


def check_output_file(out: Path, marker: bytes, what: str, option: str = "--out") -> Path:
    """Return ``out`` if a ``what`` file may be written there, replacing an earlier one.

    Allowed: a new file, or a file holding ``marker`` (one prseed wrote before). Refused: a
    folder, a read-only file, a path inside a prseed snapshot or build at any level (writing
    there would corrupt the dataset its manifest describes), and any other existing file (a user's file).

    Args:
        out: the file to write.
        marker: bytes every file prseed writes there contains (checked in its first 4 KiB).
        what: what the file is, for the error (``"report"``).
        option: the option that named the file, for the error.

    Raises:
        ConfigError: naming the path and the fix (exit 2).
    """
    if out.is_dir():
        raise ConfigError(f"{option} {out} is a folder; give a file name such as {what}.html")
    dataset = enclosing_dataset(out.parent)
    if dataset is not None:
        raise ConfigError(
            f"{option} {out} is inside the prseed {(dataset_kind(dataset) or '').removeprefix('prseed-')} "
            f"{dataset}, which writing there "
            f"would corrupt; write the {what} outside it, e.g. {option} {dataset.name}.{what}.html"
        )
    if out.exists() and not os.access(out, os.W_OK):
        # Written by a rename beside it, which a read-only file does not stop: refuse instead.
        raise ConfigError(
            f"{option} {out} is read-only, and writing the {what} would replace it; "
            f"make it writable (chmod u+w {out}) or pass another {option}"
        )
    if out.exists():
        try:
            with out.open("rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise ConfigError(
                f"{option} {out} cannot be read ({exc.strerror}); pass another {option}"
            ) from exc
        if marker not in head:
            raise ConfigError(
                f"{option} {out} exists and is not an earlier prseed {what}; move it or pass another {option}"
            )
    return out
