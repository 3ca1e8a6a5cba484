r"""Make build rows storable in PostgreSQL (pure, vectorised with pyarrow).

PostgreSQL text cannot hold U+0000, and a varchar(n) rejects longer values. Both are handled
here, before COPY, and counted:

* NUL characters in string columns are replaced by U+FFFD (the replacement character), so the
  text keeps its length and shows where something was lost. In JSON columns the escape
  ``\\u0000`` (which jsonb rejects) becomes ``\\ufffd`` for the same reason.
* Strings longer than their varchar(n) column are cut to n characters. The limit is read from
  the target database, so an app database with wider columns keeps more.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

NUL = "\x00"
REPLACEMENT = "\ufffd"
JSON_NUL = "\\u0000"
JSON_REPLACEMENT = "\\ufffd"

_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, batch_size=8192)


@dataclass
class Fixes:
    r"""What :func:`sanitize_batch` changed, summed over batches.

    Attributes:
        nul_replaced: NUL characters (or JSON ``\\u0000`` escapes) replaced.
        truncated: values cut to their column's length.
    """

    nul_replaced: int = 0
    truncated: int = 0


def _count(arr: pa.Array, pattern: str) -> int:
    total = pc.sum(pc.count_substring(arr, pattern)).as_py()
    return int(total or 0)


def sanitize_batch(
    batch: pa.RecordBatch,
    json_columns: frozenset[str],
    max_lengths: Mapping[str, int],
    fixes: Fixes,
) -> pa.RecordBatch:
    """Replace NULs and truncate over-long strings in one record batch.

    Args:
        batch: rows of one build table.
        json_columns: names of the columns holding JSON text.
        max_lengths: varchar length per string column that has one.
        fixes: counters, updated in place.

    Returns:
        The batch with the same schema, safe to COPY.
    """
    columns = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_string(field.type):
            replacements = [(NUL, REPLACEMENT)]
            if field.name in json_columns:
                replacements.append((JSON_NUL, JSON_REPLACEMENT))
            for pattern, replacement in replacements:
                found = _count(column, pattern)
                if found:
                    fixes.nul_replaced += found
                    column = pc.replace_substring(column, pattern, replacement)
            limit = max_lengths.get(field.name)
            if limit is not None:
                too_long = pc.sum(pc.greater(pc.utf8_length(column), limit)).as_py() or 0
                if too_long:
                    fixes.truncated += int(too_long)
                    column = pc.utf8_slice_codeunits(column, 0, limit)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _utc_text(column: pa.Array) -> pa.Array:
    # Arrow's CSV writer formats a zoned timestamp through the time-zone database, about 20x
    # slower than a naive one; a zoned value is stored as UTC, so its naive cast is the UTC
    # wall time, and the "Z" keeps it unambiguous whatever the session's TimeZone.
    naive = pc.cast(column, pa.timestamp(column.type.unit))
    return pc.binary_join_element_wise(pc.cast(naive, pa.string()), "Z", "")


def csv_bytes(batch: pa.RecordBatch) -> bytes:
    """Render a batch as PostgreSQL-compatible CSV (no header).

    Arrow quotes every string and writes nulls as an empty unquoted field, which is exactly how
    ``COPY ... (FORMAT csv)`` tells NULL from the empty string. Zoned timestamps are written in
    UTC with a ``Z`` suffix.
    """
    zoned = [i for i, f in enumerate(batch.schema) if pa.types.is_timestamp(f.type) and f.type.tz]
    if zoned:
        columns = list(batch.columns)
        for i in zoned:
            columns[i] = _utc_text(columns[i])
        batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
    out = io.BytesIO()
    pacsv.write_csv(batch, out, _CSV_OPTIONS)
    return out.getvalue()
