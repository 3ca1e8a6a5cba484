"""Writing the snapshot: Parquet parts per batch, then one sorted file per table and the manifest.

Parts are small and each is sorted; the final merge lets DuckDB sort all parts of a table by its
contract key (spilling to disk if needed) and streams the result into Parquet in fixed-size row
groups, so memory stays flat however many PRs the snapshot holds.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from extract.rows import Row, sort_rows
from prseed.contracts import (
    arrow_schema,
    check_table_schema,
    default_file_mode,
    table_key,
    write_parquet,
)
from prseed.errors import ContractError

# Rows per Parquet row group of a merged table: fixed so the bytes depend on the data only.
ROW_GROUP_ROWS = 8192
MERGE_MEMORY = "64MB"
MERGE_SQL = (Path(__file__).parent / "sql" / "merge_parts.sql").read_text(encoding="utf-8")


def write_part(rows: list[Row], table: str, path: Path) -> None:
    """Write one batch's rows of a table as a sorted Parquet part (atomically)."""
    ordered = sort_rows(rows, table_key("snapshot", table))
    write_parquet(
        pa.Table.from_pylist(ordered, schema=arrow_schema("snapshot", table)), path, "snapshot", table
    )


def _sorted_batches(parts: Sequence[Path], table: str, spill_dir: Path) -> Iterator[pa.RecordBatch]:
    key = table_key("snapshot", table)
    if arrow_schema("snapshot", table).names[: len(key)] != key:
        raise ContractError(f"schemas/snapshot/{table}.schema.json must list its x-key columns first")
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
        parts: the part files (any order).
        table: the snapshot table.
        dest: the file to write (atomically).
        spill_dir: where DuckDB may spill while sorting.

    Returns:
        The manifest entry ``{"file", "rows", "sha256"}``.
    """
    schema = arrow_schema("snapshot", table)
    if not parts:
        return write_parquet(schema.empty_table(), dest, "snapshot", table)
    spill_dir.mkdir(parents=True, exist_ok=True)
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
            for chunk in _regroup(_sorted_batches(parts, table, spill_dir), schema):
                check_table_schema(chunk, "snapshot", table, str(dest))
                writer.write_table(chunk, row_group_size=ROW_GROUP_ROWS)
                rows += chunk.num_rows
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
