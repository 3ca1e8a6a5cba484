"""The file contracts between stages: JSON Schemas in ``schemas/``, checksums, atomic writes.

Stages never import each other. They meet through two folder layouts, a *snapshot* (written by
``extract``, read by ``transform``) and a *build* (written by ``transform``, read by ``load``).
Each folder holds one Parquet file per table and a ``manifest.json``. This module is the single
place that knows how those are described and checked:

* ``schemas/<stage>/manifest.schema.json`` validates the manifest;
* ``schemas/<stage>/<table>.schema.json`` describes one row of a table. Its ``x-arrow`` keywords
  give the exact Arrow type of every column, so the Parquet schema is derived from it, and its
  ``x-key`` gives the sort key.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq

from prseed.errors import ContractError, SnapshotError
from prseed.resources import data_file

Stage = Literal["snapshot", "build"]

# Version 2 of the snapshot adds the comment tables; version-1 snapshots stay readable (they
# transform with the comment-derived values NULL). Version 2 of the build adds metrics_prcomment
# and metrics_dailyinsight; an older build is re-made (its tables are not enough to load).
SNAPSHOT_SCHEMA_VERSION = 2
SNAPSHOT_VERSIONS_READ: tuple[int, ...] = (1, 2)
BUILD_SCHEMA_VERSION = 2

# The tables of every snapshot version.
SNAPSHOT_TABLES: tuple[str, ...] = (
    "pull_requests",
    "commits",
    "reviews",
    "files",
    "check_runs",
    "contributors",
)
# The tables a version-2 snapshot adds: review comments (GET /pulls/{n}/comments) and conversation
# comments (GET /issues/{n}/comments).
COMMENT_TABLES: tuple[str, ...] = ("review_comments", "issue_comments")
ALL_SNAPSHOT_TABLES: tuple[str, ...] = SNAPSHOT_TABLES + COMMENT_TABLES
#: A snapshot's side folder of conditional-request ETags (``extract/etags.py``): a cache for the
#: next refresh, never a table. It is outside the manifest, so no checksum, digest, verification or
#: transform reads it, and whatever it holds (even a corrupt file) cannot make a snapshot invalid.
ETAGS_DIR = "etags"

# Dependency order: a table's natural-key references point only to tables before it.
BUILD_TABLES: tuple[str, ...] = (
    "teams_team",
    "metrics_teammember",
    "metrics_pullrequest",
    "metrics_prreview",
    "metrics_prcomment",
    "metrics_commit",
    "metrics_prfile",
    "metrics_prcheckrun",
    "metrics_jiraissue",
    "metrics_prsurvey",
    "metrics_prsurveyreview",
    "metrics_aiusagedaily",
    "metrics_weeklymetrics",
    "metrics_dailyinsight",
)

_KIND = {"snapshot": "prseed-snapshot", "build": "prseed-build"}
_VERSIONS_READ: dict[str, tuple[int, ...]] = {
    "snapshot": SNAPSHOT_VERSIONS_READ,
    "build": (BUILD_SCHEMA_VERSION,),
}


def snapshot_version(tables: Iterable[str]) -> int:
    """The schema version a snapshot holding these tables has: 2 with the comment tables, else 1.

    Writers use it so that a snapshot made without comments (an extractor that does not fetch
    them yet) stays a valid version-1 snapshot.
    """
    return SNAPSHOT_SCHEMA_VERSION if set(COMMENT_TABLES) <= set(tables) else 1


def snapshot_tables(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """The tables of a snapshot, by its schema version."""
    return ALL_SNAPSHOT_TABLES if manifest.get("schema_version", 1) >= 2 else SNAPSHOT_TABLES


def has_comments(manifest: Mapping[str, Any]) -> bool:
    """Whether a snapshot holds the PR comments (schema version 2 and later)."""
    return set(COMMENT_TABLES) <= set(manifest.get("tables", {}))


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once at import, before any worker threads.
    umask = os.umask(0)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def default_file_mode() -> int:
    """The mode a normal ``open()`` would give (mkstemp's 0600 is wrong for shared snapshots)."""
    return 0o666 & ~_UMASK


_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


def schema_dir() -> Traversable:
    """Return the folder holding the JSON Schemas (``PRSEED_SCHEMAS`` overrides it).

    Without the override it is the package data ``prseed.schemas`` (the repository's ``schemas/``).
    """
    override = os.environ.get("PRSEED_SCHEMAS")
    if override:
        return Path(override)
    return data_file("prseed.schemas")


@cache
def load_schema(relative: str) -> dict[str, Any]:
    """Load one JSON Schema by its path relative to ``schemas/``.

    Args:
        relative: e.g. ``"snapshot/manifest.schema.json"``.

    Returns:
        The parsed schema.
    """
    path = schema_dir().joinpath(*relative.split("/"))
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContractError(f"schema file {path} is missing; reinstall prseed") from exc
    return schema


def table_schema(stage: Stage, table: str) -> dict[str, Any]:
    """Return the row schema of one table of a stage."""
    return load_schema(f"{stage}/{table}.schema.json")


def table_key(stage: Stage, table: str) -> list[str]:
    """Return the sort key columns of a table (``x-key`` in its schema)."""
    key: list[str] = table_schema(stage, table)["x-key"]
    return key


def arrow_type(spec: str) -> pa.DataType:
    """Map an ``x-arrow`` type name to a pyarrow type.

    Args:
        spec: one of string, json, int64, int32, bool, float64, timestamp, date,
            list<string>, decimal(p,s).

    Returns:
        The Arrow data type. Timestamps are microseconds in UTC.
    """
    simple: dict[str, pa.DataType] = {
        "string": pa.string(),
        "json": pa.string(),
        "int64": pa.int64(),
        "int32": pa.int32(),
        "bool": pa.bool_(),
        "float64": pa.float64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "list<string>": pa.list_(pa.string()),
    }
    if spec in simple:
        return simple[spec]
    match = _DECIMAL.match(spec)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    raise ContractError(f"unknown x-arrow type {spec!r} in a schema")


@cache
def arrow_schema(stage: Stage, table: str) -> pa.Schema:
    """Derive the exact Arrow schema of a table from its JSON Schema."""
    schema = table_schema(stage, table)
    fields = []
    for name, prop in schema["properties"].items():
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        fields.append(pa.field(name, arrow_type(prop["x-arrow"]), nullable="null" in types))
    return pa.schema(fields)


def validate(instance: Any, relative: str, what: str) -> None:
    """Validate a JSON value against a schema, raising a one-line :class:`ContractError`.

    Args:
        instance: the value to check.
        relative: the schema path relative to ``schemas/``.
        what: how to name the value in the error, e.g. the file path.
    """
    validator = jsonschema.Draft202012Validator(load_schema(relative))
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ContractError(f"{what} does not match {relative} at {where}: {error.message}")


def check_table_schema(table: pa.Table | pa.Schema, stage: Stage, name: str, what: str) -> None:
    """Check that an Arrow table or schema has exactly the contracted columns and types.

    Nullability is checked on the data (a null in a non-nullable column fails) rather than on
    the schema flag, because Parquet readers do not always keep that flag.
    """
    expected = arrow_schema(stage, name)
    actual = table.schema if isinstance(table, pa.Table) else table
    got = [(f.name, f.type) for f in actual]
    want = [(f.name, f.type) for f in expected]
    if got != want:
        missing = [n for n, _ in want if n not in dict(got)]
        extra = [n for n, _ in got if n not in dict(want)]
        wrong = [
            f"{n} is {t}, expected {dict(want)[n]}" for n, t in got if n in dict(want) and dict(want)[n] != t
        ]
        detail = "; ".join(
            part
            for part in (
                f"missing {missing}" if missing else "",
                f"unexpected {extra}" if extra else "",
                "; ".join(wrong),
                "column order differs" if not (missing or extra or wrong) else "",
            )
            if part
        )
        raise ContractError(f"{what} does not match schemas/{stage}/{name}.schema.json: {detail}")
    if isinstance(table, pa.Table):
        for field in expected:
            if not field.nullable and table.column(field.name).null_count:
                raise ContractError(
                    f"{what}: column {field.name} has nulls but "
                    f"schemas/{stage}/{name}.schema.json forbids them"
                )


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dataset_digest(manifest: Mapping[str, Any]) -> str:
    """Content digest of a snapshot or build: sha256 over its tables' checksums, in name order.

    Timestamps and run statistics do not enter it, so an unchanged re-extraction keeps it.
    """
    lines = "".join(f"{name}:{entry['sha256']}\n" for name, entry in sorted(manifest["tables"].items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def dumps_manifest(manifest: Mapping[str, Any]) -> bytes:
    """Serialise a manifest the one canonical way (sorted keys, 2-space indent, newline)."""
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success fsync it and rename it over ``path``.

    Readers see the old file or the complete new one, never a partial write. On an exception
    the temp file is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_parquet(table: pa.Table, path: Path, stage: Stage, name: str) -> dict[str, Any]:
    """Check a table against its contract and write it as deterministic zstd Parquet.

    Args:
        table: rows already sorted by the table's key.
        path: destination file; written atomically.
        stage: ``"snapshot"`` or ``"build"``.
        name: the table name.

    Returns:
        The manifest entry ``{"file", "rows", "sha256"}``.
    """
    expected = arrow_schema(stage, name)
    if table.schema.names != expected.names:
        check_table_schema(table.schema, stage, name, str(path))  # raises, naming the columns
    try:
        table = table.cast(expected)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
        raise ContractError(f"{path}: cannot cast to schemas/{stage}/{name}.schema.json: {exc}") from exc
    check_table_schema(table, stage, name, str(path))
    with atomic_path(path) as tmp:
        # Fixed writer options and no created_by variance: same rows -> same bytes.
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            compression_level=9,
            use_dictionary=True,
            write_statistics=True,
            row_group_size=128 * 1024,
            store_schema=True,
        )
    return {"file": path.name, "rows": table.num_rows, "sha256": sha256_file(path)}


#: Temporary siblings of an output folder ``NAME``: ``.NAME.<kind>-<pid>`` (see :func:`remove_debris`).
DEBRIS_KINDS = ("old", "staging", "duckdb", "incoming")


def real_dir(target: Path) -> Path:
    """The folder a dataset is written to: a symbolic link's target (the link itself stays)."""
    return target.resolve() if target.is_symlink() else target


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_debris(target: Path) -> list[Path]:
    """Remove what crashed runs left beside an output folder (and beside its link's target).

    A killed run can leave ``.NAME.old-<pid>`` (the previous folder moved aside, or, by earlier
    versions, the symbolic link itself), ``.NAME.staging-<pid>``, ``.NAME.duckdb-<pid>`` or
    ``.NAME.incoming-<pid>``. Those of processes that no longer run are removed; a link is unlinked,
    never followed.

    Returns:
        The paths removed.
    """
    removed = []
    for folder in {target, real_dir(target)}:
        if not folder.parent.is_dir():
            continue
        for path in folder.parent.glob(f".{glob.escape(folder.name)}.*-*"):
            kind, _, pid = path.name[len(folder.name) + 2 :].rpartition("-")
            if kind not in DEBRIS_KINDS or not pid.isdigit() or _alive(int(pid)):
                continue
            if path.is_symlink() or not path.is_dir():
                path.unlink(missing_ok=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def replace_dir_atomically(staging: Path, target: Path) -> None:
    """Put a fully written staging folder in place of ``target``.

    The old folder is moved aside first and removed only after the new one is in place, so
    ``target`` is never a half-written folder: it is the old one, briefly absent, or the new one.
    A ``target`` that is a symbolic link is written through: its target folder is replaced and
    the link stays. Debris of crashed earlier runs is removed (:func:`remove_debris`).
    """
    remove_debris(target)
    real = real_dir(target)
    real.parent.mkdir(parents=True, exist_ok=True)
    if staging.parent.resolve() != real.parent.resolve():
        # The link points elsewhere (maybe another file system): bring the new folder beside the
        # real one first (a rename, or a copy that the old folder never sees), then swap.
        beside = real.with_name(f".{real.name}.incoming-{os.getpid()}")
        shutil.rmtree(beside, ignore_errors=True)
        shutil.move(staging, beside)
        staging = beside
    old: Path | None = None
    if real.exists():
        old = real.with_name(f".{real.name}.old-{os.getpid()}")
        if old.is_symlink():
            old.unlink()
        elif old.exists():
            shutil.rmtree(old)
        os.replace(real, old)
    os.replace(staging, real)
    _fsync_dir(real.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(folder: Path, stage: Stage) -> dict[str, Any]:
    """Read and schema-check a manifest without verifying the data files."""
    path = folder / "manifest.json"
    noun = "snapshot" if stage == "snapshot" else "build"
    if not path.is_file():
        fix = "run `prseed extract` first" if stage == "snapshot" else "run `prseed transform` first"
        raise SnapshotError(f"no {noun} at {folder} (manifest.json missing): {fix}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path} is not valid JSON ({exc}); re-create the {noun}") from exc
    if not isinstance(manifest, dict) or manifest.get("kind") != _KIND[stage]:
        raise SnapshotError(f"{path} is not a prseed {noun} manifest")
    version = manifest.get("schema_version")
    readable = _VERSIONS_READ[stage]
    if version not in readable:
        reads = " or ".join(str(v) for v in readable)
        raise SnapshotError(
            f"{path} has schema_version {version!r}, this prseed reads {reads}: "
            f"re-create the {noun} with this version or use a matching prseed"
        )
    validate(manifest, f"{stage}/manifest.schema.json", str(path))
    return manifest


def verify_dataset(folder: Path, stage: Stage, tables: Iterable[str] | None = None) -> dict[str, Any]:
    """Fully verify a snapshot or build folder before it is read.

    Checks the manifest schema and version, the completed flag, every file's sha256 and row
    count, and every table's Arrow schema against its contract.

    Args:
        folder: the snapshot or build folder.
        stage: which contract applies.
        tables: restrict the check to these tables (default: all of the stage).

    Returns:
        The manifest.

    Raises:
        SnapshotError: with a one-line message naming the file and the fix.
    """
    manifest = read_manifest(folder, stage)
    noun = "snapshot" if stage == "snapshot" else "build"
    if not manifest["completed"]:
        raise SnapshotError(
            f"{noun} {folder} was never completed; re-run the stage that writes it (with --resume)"
        )
    for name in tables if tables is not None else manifest["tables"]:
        entry = manifest["tables"][name]
        path = folder / entry["file"]
        if not path.is_file():
            raise SnapshotError(f"{noun} {folder} lacks {entry['file']}; re-create the {noun}")
        if sha256_file(path) != entry["sha256"]:
            raise SnapshotError(
                f"{path} fails its sha256 check (corrupt or edited by hand); "
                f"restore it (git checkout) or re-create the {noun}"
            )
        try:
            meta = pq.read_metadata(path)
            check_table_schema(pq.read_schema(path), stage, name, str(path))
        except ContractError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise SnapshotError(f"{path} is not readable Parquet ({exc}); re-create the {noun}") from exc
        if meta.num_rows != entry["rows"]:
            raise SnapshotError(
                f"{path} has {meta.num_rows} rows, its manifest says {entry['rows']}; re-create the {noun}"
            )
    return manifest
