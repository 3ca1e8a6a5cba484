"""Writing the snapshot: Parquet parts per batch, then one sorted file per table and the manifest.

Parts are small and each is sorted by the table's contract key. The PR list is fetched in key
order (see :meth:`extract.workdir.WorkDir.write_pulls`), so the parts of a table normally cover
disjoint, increasing key ranges: the final merge then only streams them one by one, in the order
of their first keys, into fixed-size row groups, and memory stays flat however many PRs the
snapshot holds. Should the keys not increase strictly across the parts (a work folder of an
earlier version, or an API list that repeated an item), the merge falls back to letting DuckDB
sort all parts (spilling to disk if needed). Both ways give the same bytes: the contract puts the
key columns first, so with unique keys the key order is the ``ORDER BY ALL`` order.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from prseed.extract.memory import release_free_memory
from prseed.extract.rows import Row, sort_rows

from prseed.contracts import (
    arrow_schema,
    check_table_schema,
    default_file_mode,
    table_key,
    write_parquet,
)
from prseed.errors import ContractError
from prseed.resources import read_text

# Rows per Parquet row group of a merged table: fixed so the bytes depend on the data only.
ROW_GROUP_ROWS = 8192
# The Parquet writer encodes its input in mini-batches of 1,024 values (write_batch_size) and
# decides page and dictionary boundaries between them. Input chunks whose lengths are multiples
# of that size therefore give the same bytes as one contiguous chunk (what DuckDB's reader gives).
CHUNK_ROWS = 1024
MERGE_MEMORY = "64MB"
MERGE_SQL = read_text("prseed.extract", "sql", "merge_parts.sql")


class _Unordered(Exception):
    """The parts' keys do not increase strictly from part to part: they must be sorted."""


def write_part(rows: list[Row], table: str, path: Path) -> None:
    """Write one batch's rows of a table as a sorted Parquet part (atomically).

    Rows sharing the table's key are kept once, the later one (an API list that moved while it
    was paged can repeat an item): ``prseed snapshot verify`` rejects a repeated key.
    """
    key = table_key("snapshot", table)
    unique = {tuple(row[k] for k in key): row for row in rows}
    ordered = sort_rows(list(unique.values()), key)
    write_parquet(
        pa.Table.from_pylist(ordered, schema=arrow_schema("snapshot", table)), path, "snapshot", table
    )


def _key_columns(table: str) -> list[str]:
    key = table_key("snapshot", table)
    if arrow_schema("snapshot", table).names[: len(key)] != key:
        raise ContractError(f"schemas/snapshot/{table}.schema.json must list its x-key columns first")
    return key


def _first_key(part: Path, key: list[str]) -> tuple[Any, ...]:
    """The key of a part's first row (its smallest: parts are sorted)."""
    handle = pq.ParquetFile(part)
    if handle.metadata.num_rows == 0:
        return ()
    first = handle.read_row_group(0, columns=key).slice(0, 1).to_pylist()[0]
    return tuple(first[k] for k in key)


def _concatenated(parts: Sequence[Path], table: str) -> Iterator[pa.Table]:
    """Stream sorted, key-disjoint parts in key order as tables of ROW_GROUP_ROWS rows (last shorter).

    Each table is made of contiguous chunks of CHUNK_ROWS rows, cut as the parts are read, so a
    row group is held about once (not as parts plus a combined copy).

    Raises:
        _Unordered: a key is not greater than the one before it (overlapping parts or a repeated
            key); nothing of the stream may then be used.
    """
    key = _key_columns(table)
    schema = arrow_schema("snapshot", table)
    try:
        ordered = sorted((_first_key(p, key), str(p)) for p in parts)
    except TypeError as exc:  # a null key column: only DuckDB's ordering applies
        raise _Unordered from exc
    last: tuple[Any, ...] | None = None
    pending: list[pa.Table] = []  # parts not yet cut into chunks
    pending_rows = 0
    group: list[pa.Table] = []  # contiguous chunks of the row group being filled
    group_rows = 0
    for _, name in ordered:
        part = pq.read_table(name).cast(schema)
        if part.num_rows == 0:
            continue
        try:
            for current in zip(*(part.column(k).to_pylist() for k in key), strict=True):
                if last is not None and not last < current:
                    raise _Unordered
                last = current
        except TypeError as exc:
            raise _Unordered from exc
        pending.append(part)
        pending_rows += part.num_rows
        while pending_rows >= CHUNK_ROWS:
            merged = pa.concat_tables(pending)
            group.append(merged.slice(0, CHUNK_ROWS).combine_chunks())
            group_rows += CHUNK_ROWS
            rest = merged.slice(CHUNK_ROWS)
            del merged
            pending, pending_rows = ([rest] if rest.num_rows else []), rest.num_rows
            # The parts' many small buffers are free now: hand them back before the next ones.
            release_free_memory()
            if group_rows == ROW_GROUP_ROWS:
                yield pa.concat_tables(group)
                group, group_rows = [], 0
    if pending_rows:
        group.append(pa.concat_tables(pending).combine_chunks())
    if group:
        yield pa.concat_tables(group)


def _sorted_batches(parts: Sequence[Path], table: str, spill_dir: Path) -> Iterator[pa.RecordBatch]:
    # Imported here: DuckDB costs tens of MB and is needed only when parts overlap.
    import duckdb

    _key_columns(table)
    spill_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        config={"threads": 1, "memory_limit": MERGE_MEMORY, "temp_directory": str(spill_dir)}
    )
    try:
        con.execute("SET TimeZone = 'UTC'")
        relation = con.sql(MERGE_SQL, params={"files": [str(p) for p in parts]})
        reader = relation.to_arrow_reader(ROW_GROUP_ROWS)
        yield from reader
    finally:
        con.close()


def _regroup(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.Table]:
    """Re-cut a stream of record batches into tables of exactly ROW_GROUP_ROWS rows (last shorter)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= ROW_GROUP_ROWS:
            table = pa.Table.from_batches(pending).cast(schema)
            yield table.slice(0, ROW_GROUP_ROWS)
            rest = table.slice(ROW_GROUP_ROWS)
            pending = rest.to_batches()
            count = rest.num_rows
    if count:
        yield pa.Table.from_batches(pending).cast(schema)


def merge_table(parts: Sequence[Path], table: str, dest: Path, spill_dir: Path) -> dict[str, Any]:
    """Merge a table's parts into one Parquet file sorted by the contract key.

    The writer options are those of :func:`prseed.contracts.write_parquet` (zstd level 9,
    dictionary, statistics, stored schema); row groups hold :data:`ROW_GROUP_ROWS` rows.

    Args:
        parts: the part files (any order), each sorted by the key.
        table: the snapshot table.
        dest: the file to write (atomically).
        spill_dir: where DuckDB may spill while sorting (only when the parts overlap).

    Returns:
        The manifest entry ``{"file", "rows", "sha256"}``.
    """
    schema = arrow_schema("snapshot", table)
    if not parts:
        return write_parquet(schema.empty_table(), dest, "snapshot", table)
    try:
        return _write_chunks(_concatenated(parts, table), table, dest)
    except _Unordered:
        return _write_chunks(_regroup(_sorted_batches(parts, table, spill_dir), schema), table, dest)


def _write_chunks(chunks: Iterator[pa.Table], table: str, dest: Path) -> dict[str, Any]:
    """Write a stream of row groups as one Parquet file (atomically); return its manifest entry."""
    schema = arrow_schema("snapshot", table)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    rows = 0
    try:
        with pq.ParquetWriter(
            tmp,
            schema,
            compression="zstd",
            compression_level=9,
            use_dictionary=True,
            write_statistics=True,
            store_schema=True,
        ) as writer:
            for chunk in chunks:
                check_table_schema(chunk, "snapshot", table, str(dest))
                writer.write_table(chunk, row_group_size=ROW_GROUP_ROWS)
                rows += chunk.num_rows
                del chunk
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"file": dest.name, "rows": rows, "sha256": digest.hexdigest()}
