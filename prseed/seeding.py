"""``prseed load`` and ``prseed seed`` as library calls: transform what is missing or stale, then load.

The stages never import each other; this module is the one place that chains them. A build is
*current* when it is complete, was made from the snapshot beside it (same digest) and with every
transform option the user gave (``seed``, ``as_of``, ...); otherwise it is re-made first. A dry run
makes stale builds in a temporary folder, so it writes nothing under ``build/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prseed import load
from prseed.contracts import dataset_digest, read_manifest
from prseed.errors import ConfigError, SnapshotError
from prseed.outputs import check_output_dir
from prseed.registry import check_key, load_registry, suggestion
from prseed.transform.shift import shift_weeks  # pure date arithmetic: no DuckDB import


@dataclass(frozen=True)
class SeedConfig:
    """What ``prseed load``/``seed`` does.

    Attributes:
        projects: project keys to load; empty: every snapshot under ``snapshots``.
        snapshots: the folder of the snapshots (``snapshots/<project>``).
        builds: the folder of the builds (``build/<project>``).
        transform: transform options the user gave (``TransformConfig`` field -> value); a build
            made with other values is stale. Options not given keep the build's.
        database_url: target; None uses the embedded PostgreSQL.
        clear: delete each team's rows first.
        bulk: bulk mode (None: on for the embedded database only).
        dry_run: load, report and roll back; write nothing (stale builds go to a temporary folder).
    """

    projects: tuple[str, ...] = ()
    snapshots: Path = Path("snapshots")
    builds: Path = Path("build")
    transform: Mapping[str, Any] = field(default_factory=dict)
    database_url: str | None = None
    clear: bool = False
    bulk: bool | None = None
    dry_run: bool = False


def snapshot_projects(snapshots: Path) -> list[str]:
    """Return every project folder under ``snapshots/`` that has a manifest.json, sorted."""
    if not snapshots.is_dir():
        return []
    return sorted(p.name for p in snapshots.iterdir() if (p / "manifest.json").is_file())


def _manifest_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _made_with(build: Mapping[str, Any], name: str, value: Any) -> bool:
    """Whether a build manifest records the transform option ``name`` with ``value``.

    Options are compared with the manifest value of the same name, except ``shift_to``: the
    manifest's ``shift`` records the whole weeks the build was moved, and another target day
    giving the same number of weeks gives the same build (``seed`` shifts to today and must
    not re-transform every day). No ``shift`` (and ``shift_to`` None) is a shift of 0 weeks.
    """
    if name != "shift_to":
        return bool(build.get(name) == _manifest_value(value))
    weeks = build.get("shift", {}).get("weeks", 0)
    if value is None:
        return bool(weeks == 0)
    return bool(weeks == shift_weeks(dt.date.fromisoformat(build["as_of"]), value))


def build_is_current(build_dir: Path, snapshot_dir: Path, options: Mapping[str, Any]) -> bool:
    """Whether a build exists and was made from this snapshot with these transform options.

    A build without a snapshot next to it is taken as it is (it cannot be re-made anyway).

    Args:
        build_dir: ``build/<project>``.
        snapshot_dir: ``snapshots/<project>``.
        options: transform options the user gave, compared with the build manifest's values of
            the same name (``seed``, ``as_of``), ``shift_to`` in whole weeks (:func:`_made_with`).
    """
    try:
        build = read_manifest(build_dir, "build")
    except SnapshotError:
        return False
    if not build.get("completed"):
        return False
    if not all(_made_with(build, name, value) for name, value in options.items()):
        return False
    if not (snapshot_dir / "manifest.json").is_file():
        return True
    snapshot = read_manifest(snapshot_dir, "snapshot")
    return bool(build["snapshot"]["digest"] == dataset_digest(snapshot))


def unknown_project(name: str, snapshots: Path, builds: Path) -> ConfigError:
    """The error for a project that has neither snapshot nor build, with the likely fix."""
    registry = load_registry()
    if name in registry:
        # A project of the registry without its snapshot is a usage error (exit 2), like an
        # unknown one: there is nothing bad on disk. Synthetic data cannot be extracted.
        fix = (
            f"restore it (git checkout -- snapshots/{name}) or run `make demo-snapshot` in a prseed checkout"
            if registry[name].synthetic or registry[name].tier == "synthetic"
            else f"run `prseed extract {name}` first"
        )
        return ConfigError(f"project {name!r} has no snapshot in {snapshots / name} yet; {fix}")
    known = [*registry, *snapshot_projects(snapshots)]
    if builds.is_dir():
        known += [p.name for p in builds.iterdir() if (p / "manifest.json").is_file()]
    return ConfigError(
        f"unknown project {name!r}{suggestion(name, known)}: no snapshot in {snapshots / name} and no "
        f"build in {builds / name}; `prseed projects` lists the registry"
    )


def transform_one(snapshot_dir: Path, build_dir: Path, options: Mapping[str, Any]) -> None:
    """Run the transform stage for one project with the options given."""
    # Imported on demand: loading ready builds should not pay for importing DuckDB.
    from prseed import transform

    config = transform.TransformConfig(snapshot_dir=snapshot_dir, out_dir=build_dir)
    transform.run(dataclasses.replace(config, **options))


def prepare_builds(
    config: SeedConfig, scratch: Path | None = None, on_transform: Callable[[str], None] | None = None
) -> tuple[Path, ...]:
    """Resolve projects to build folders, transforming those missing or stale first.

    Args:
        config: projects, folders and transform options.
        scratch: where stale builds go instead of ``config.builds`` (a dry run's temporary folder).
        on_transform: told the project name before each transform.

    Raises:
        ConfigError: a name is not a project key, or a project has neither build nor snapshot.
    """
    names = [check_key(name) for name in config.projects] or snapshot_projects(config.snapshots)
    if not names:
        raise ConfigError(
            f"nothing to load: no snapshot under {config.snapshots}/ and no PROJECT given; "
            f"run `prseed extract PROJECT` first"
        )
    folders = []
    for name in names:
        snapshot_dir, build_dir = config.snapshots / name, config.builds / name
        if not build_is_current(build_dir, snapshot_dir, config.transform):
            if not (snapshot_dir / "manifest.json").is_file():
                if not (build_dir / "manifest.json").is_file():
                    raise unknown_project(name, config.snapshots, config.builds)
                read_manifest(build_dir, "build")  # names what is wrong with a bad build
                given = ", ".join(f"{k} {_manifest_value(v)}" for k, v in config.transform.items())
                raise ConfigError(
                    f"build {build_dir} is incomplete or was made with options other than "
                    f"{given or 'these'}, and there is no snapshot in {snapshot_dir} to re-make it from; "
                    f"drop those options or restore the snapshot"
                )
            if scratch is not None:
                build_dir = scratch / name
            project = read_manifest(snapshot_dir, "snapshot")["project"]
            default = config.builds == SeedConfig.builds and scratch is None
            check_output_dir(build_dir, "build", "--builds", project=project, default=default)
            if on_transform is not None:
                on_transform(name)
            transform_one(snapshot_dir, build_dir, config.transform)
        folders.append(build_dir)
    return tuple(folders)


@contextmanager
def _scratch(dry_run: bool) -> Iterator[Path | None]:
    if not dry_run:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="prseed-dry-run-") as temp:
        yield Path(temp)


def seed(
    config: SeedConfig,
    progress: load.Progress | None = None,
    notify: load.Notify | None = None,
    on_transform: Callable[[str], None] | None = None,
    on_builds: Callable[[tuple[Path, ...]], None] | None = None,
) -> load.LoadResult:
    """Transform what is missing or stale, then load every build in one transaction.

    Args:
        config: what to load and where.
        progress: per-table progress of the load (see :func:`prseed.load.run`).
        notify: one-line notes of the load (e.g. waiting for another load).
        on_transform: told the project name before each transform.
        on_builds: told the build folders before the load starts.

    Raises:
        ConfigError: bad project names, nothing to load.
        SnapshotError: a snapshot or build is bad.
        DatabaseError: the database refused the load (it is rolled back).
    """
    with _scratch(config.dry_run) as scratch:
        folders = prepare_builds(config, scratch, on_transform)
        if on_builds is not None:
            on_builds(folders)
        load_config = load.LoadConfig(
            build_dirs=folders,
            database_url=config.database_url,
            clear=config.clear,
            dry_run=config.dry_run,
            bulk=config.bulk,
        )
        return load.run(load_config, progress, notify)
