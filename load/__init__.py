"""The load stage: build Parquet -> PostgreSQL, COPY-fast, idempotent, all-or-nothing.

One entry point, :func:`run`, taking a frozen :class:`LoadConfig` (and :func:`init_schema` for
``prseed db init``). How a load works is described in :mod:`prseed.load.pipeline`, which runs it;
this module holds the stage's types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from prseed.contracts import BUILD_TABLES

__all__ = [
    "LoadConfig",
    "LoadResult",
    "Notify",
    "Progress",
    "ProjectResult",
    "TableStats",
    "check_connection",
    "init_schema",
    "run",
]


@dataclass(frozen=True)
class LoadConfig:
    """Options of one load.

    Attributes:
        build_dirs: ``build/<project>`` folders to load, all in one transaction.
        database_url: target database; None uses the embedded PostgreSQL.
        clear: delete each team's existing metrics rows first.
        dry_run: do everything, report the counts, then roll back.
        create_schema: run ``sql/schema.sql`` first; default True for the embedded database
            and False for an external one (which gets the preflight check instead).
        bulk: drop the foreign keys of the written tables and add them back at the end (one
            set-based validation each instead of one check per row), and build the indexes
            of empty tables after filling them, all inside the transaction. Much
            faster, but it needs table ownership and holds ACCESS EXCLUSIVE locks until the
            commit, so the default is True only for the embedded database.
    """

    build_dirs: tuple[Path, ...]
    database_url: str | None = None
    clear: bool = False
    dry_run: bool = False
    create_schema: bool | None = None
    bulk: bool | None = None


@dataclass(frozen=True)
class TableStats:
    """What the load did to one table for one build.

    Attributes:
        table: the table name.
        rows: rows in the build.
        inserted: new rows.
        updated: existing rows whose values changed.
        unchanged: existing rows left untouched.
        skipped: rows not loaded (survey reviews by non-members).
        seconds: COPY + upsert wall time.
        copy_seconds: the COPY-to-staging part of ``seconds``.
        nul_replaced: NUL characters replaced by U+FFFD.
        truncated: values cut to their varchar length.
    """

    table: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    seconds: float
    nul_replaced: int
    truncated: int
    copy_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Build rows processed per second."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ProjectResult:
    """The outcome for one build folder."""

    build_dir: Path
    project: str
    team_slug: str
    tables: tuple[TableStats, ...]
    cleared: int = 0


@dataclass(frozen=True)
class LoadResult:
    """The outcome of :func:`run`.

    Attributes:
        projects: one entry per build folder, in load order.
        database: the target, without password.
        seconds: wall time of the whole load.
        committed: False for a dry run.
        commit_seconds: foreign-key checking and COMMIT: the deferred per-row checks at
            COMMIT, or in bulk mode the re-validation of the foreign keys plus the COMMIT.
        embedded: whether the target was the embedded PostgreSQL.
        database_url: the full target URL (never printed by prseed when it has a password).
    """

    projects: tuple[ProjectResult, ...]
    database: str
    seconds: float
    committed: bool
    commit_seconds: float = 0.0
    embedded: bool = False
    database_url: str = field(default="", repr=False)

    def totals(self) -> list[TableStats]:
        """Per-table sums over all projects, in dependency order."""
        sums = {t: TableStats(t, 0, 0, 0, 0, 0, 0.0, 0, 0) for t in BUILD_TABLES}
        numbers = [f.name for f in fields(TableStats) if f.name != "table"]
        for project in self.projects:
            for s in project.tables:
                total = sums[s.table]
                sums[s.table] = replace(total, **{n: getattr(total, n) + getattr(s, n) for n in numbers})
        return list(sums.values())


#: Called after each table of each build with ``(project, stats)``.
Progress = Callable[[str, TableStats], None]
#: Called with a one-line message when the load has to wait (another load holds the lock).
Notify = Callable[[str], None]


def run(config: LoadConfig, progress: Progress | None = None, notify: Notify | None = None) -> LoadResult:
    """Load build folders into PostgreSQL in one transaction; see :func:`prseed.load.pipeline.load`."""
    from prseed.load.pipeline import load

    return load(config, progress, notify)


def init_schema(database_url: str | None) -> str:
    """Create the metrics tables and check them; see :func:`prseed.load.pipeline.init_schema`."""
    from prseed.load import pipeline

    return pipeline.init_schema(database_url)


def check_connection(database_url: str) -> None:
    """Connect to ``database_url`` once and close: a bad URL or server is a one-line error.

    Raises:
        DatabaseError: not a PostgreSQL URL, unreachable, login refused, no such database (exit 7).
    """
    from prseed.load.database import connect

    connect(database_url).close()
