"""Benchmark of the transform stage: ``python -m bench.bench_transform [--sizes 10000 100000]``.

For each size it generates (once, cached under bench/out/) a synthetic snapshot with
tests/snapgen.py, then measures, each in a fresh subprocess:

* floor: DuckDB reading the same snapshot files and writing the same number of rows per output
  table as the transform (taken from the matching input table, no computation) with the same
  Parquet writer settings;
* transform: ``transform.run`` with the same DuckDB threads and memory limit.

It prints time, the ratio transform / floor (goal <= 3x), peak RSS (goal <= 2 GB) and how time
grows between sizes (goal: linear).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
THREADS = 2
MEMORY_LIMIT = "1GB"

# Output table -> the input table the floor copies rows from.
SOURCE = {
    "teams_team": "contributors",
    "metrics_teammember": "contributors",
    "metrics_pullrequest": "pull_requests",
    "metrics_prreview": "reviews",
    "metrics_prcomment": "review_comments",
    "metrics_commit": "commits",
    "metrics_prfile": "files",
    "metrics_prcheckrun": "check_runs",
    "metrics_jiraissue": "pull_requests",
    "metrics_prsurvey": "pull_requests",
    "metrics_prsurveyreview": "reviews",
    "metrics_aiusagedaily": "commits",
    "metrics_weeklymetrics": "commits",
    "metrics_dailyinsight": "pull_requests",
}


def snapshot_for(n_prs: int) -> Path:
    """Generate (or reuse) the snapshot of n_prs PRs."""
    folder = OUT / f"snapshot-{n_prs}"
    if (folder / "manifest.json").is_file():
        return folder
    from tests.snapgen import GenSpec, write_snapshot

    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    write_snapshot(folder, GenSpec(n_prs=n_prs))
    print(f"generated {folder} in {time.perf_counter() - started:.1f}s", flush=True)
    return folder


def child_floor(snapshot: Path, out: Path, rows: dict[str, int]) -> float:
    """Read the input and write the same row counts with no computation."""
    import duckdb
    import pyarrow.parquet as pq

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    out.mkdir(parents=True, exist_ok=True)
    for name, count in rows.items():
        source = str(snapshot / f"{SOURCE[name]}.parquet")
        # Repeat the input when the output has more rows than the source table.
        query = (
            "SELECT s.* FROM read_parquet($p) s, "
            "range(CAST(ceil($n / greatest((SELECT count(*) FROM read_parquet($p)), 1)) AS BIGINT)) "
            "LIMIT $n"
        )
        table = con.sql(query, params={"p": source, "n": count}).to_arrow_table()
        pq.write_table(
            table,
            out / f"{name}.parquet",
            compression="zstd",
            compression_level=9,
            use_dictionary=True,
            write_statistics=True,
            row_group_size=128 * 1024,
        )
    con.close()
    return time.perf_counter() - started


def child_transform(snapshot: Path, out: Path) -> tuple[float, dict[str, int]]:
    """Run the real transform."""
    from prseed import transform

    started = time.perf_counter()
    result = transform.run(
        transform.TransformConfig(
            snapshot_dir=snapshot, out_dir=out, threads=THREADS, memory_limit=MEMORY_LIMIT
        )
    )
    return time.perf_counter() - started, result.rows


def measure(kind: str, snapshot: Path, rows: dict[str, int] | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; peak RSS comes from wait4 on that child."""
    args = [sys.executable, "-m", "bench.bench_transform", "--child", kind, str(snapshot)]
    if rows is not None:
        args.append(json.dumps(rows))
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"benchmark child {kind} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def child_main(kind: str, snapshot: Path, rows_json: str | None) -> None:
    out = OUT / f"build-{kind}-{snapshot.name}"
    shutil.rmtree(out, ignore_errors=True)
    if kind == "floor":
        seconds = child_floor(snapshot, out, json.loads(rows_json or "{}"))
        rows: dict[str, int] = {}
    else:
        seconds, rows = child_transform(snapshot, out)
    print(json.dumps({"seconds": seconds, "rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, snapshot, *rest = args.child
        child_main(kind, Path(snapshot), rest[0] if rest else None)
        return
    print(f"transform benchmark: DuckDB threads={THREADS}, memory_limit={MEMORY_LIMIT}")
    results = []
    for n_prs in args.sizes:
        snapshot = snapshot_for(n_prs)
        manifest = json.loads((snapshot / "manifest.json").read_text())
        input_rows = sum(t["rows"] for t in manifest["tables"].values())
        tr = measure("transform", snapshot)
        floor = measure("floor", snapshot, tr["rows"])
        output_rows = sum(tr["rows"].values())
        results.append((n_prs, tr["seconds"]))
        print(
            f"{n_prs:>7,} PRs  input {input_rows:>9,} rows  output {output_rows:>9,} rows  "
            f"transform {tr['seconds']:6.2f}s  floor {floor['seconds']:6.2f}s  "
            f"ratio {tr['seconds'] / floor['seconds']:4.2f}x (goal <= 3x)  "
            f"peak {tr['peak_mb']:6.0f} MB (floor {floor['peak_mb']:.0f} MB; goal <= 2048 MB)",
            flush=True,
        )
    for (n1, t1), (n2, t2) in itertools.pairwise(results):
        print(
            f"growth {n1:,} -> {n2:,} PRs: time x{t2 / t1:.2f} for x{n2 / n1:.0f} PRs "
            f"(linear = x{n2 / n1:.0f})"
        )


if __name__ == "__main__":
    main()
