"""GraphQL extract benchmarks against the fake GitHub (python -m bench.bench_extract_graphql [--quick]).

The fake GitHub runs in its own process (``python -m tests.fakegithub``) and prices every query
by GitHub's documented rules (node count and point value), as GitHub would.

1. Economy, 1,000 PRs with full detail (commits with per-commit additions/deletions, reviews,
   files, labels, assignees, review requests, the head commit's check runs): queries, points and
   nodes per 1,000 PRs, points per PR (goal <= 0.1), plus the REST calls GraphQL mode still makes.
2. Wall time, the same 1,000 PRs at 100 ms latency per request, REST then GraphQL in one run, both
   full detail with 3 workers (goal: GraphQL >= 10x faster); the typed columns of both snapshots
   are compared, comment tables included (documented differences aside, see README "GraphQL and
   REST"). ``--repeat N`` runs N such pairs and prints the median ratio (the machine is shared).
3. Peak RSS of ``prseed extract --api graphql`` (the real CLI in a child process) for 500, 1,000
   and 2,000 PRs (goal <= 300 MB at 2,000), against the import floor measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from bench.fake import FLOOR, cli_env, cli_extract_command, fake_github, load_average, run_child, run_extract
from prseed.contracts import ALL_SNAPSHOT_TABLES, table_key

# Columns GraphQL cannot give as REST does (README, "GraphQL and REST"); raw holds each API's object.
DIFFERENT = {"raw", "parents_count", "merge_commit_sha", "commits_truncated"}


def typed_differences(rest: Path, graphql: Path) -> dict[str, int]:
    """Rows per table whose typed columns differ (documented columns and extra commits aside)."""
    out: dict[str, int] = {}
    for name in ALL_SNAPSHOT_TABLES:
        key = table_key("snapshot", name)

        def load(folder: Path, name: str = name, key: list[str] = key) -> dict[tuple[object, ...], dict]:
            rows = pq.read_table(folder / f"{name}.parquet").to_pylist()
            return {tuple(r[k] for k in key): r for r in rows}

        a, b = load(rest), load(graphql)
        differing = sum(
            1
            for k, row in a.items()
            if k not in b
            or any(row[c] != b[k][c] for c in row if c not in DIFFERENT or name == "contributors")
        )
        out[name] = differing
        if name == "commits":
            out["commits_only_in_graphql"] = len(b.keys() - a.keys())
    return out


def measure_memory(n: int, out: Path) -> dict[str, float]:
    """Peak RSS of one ``prseed extract --api graphql`` of n PRs against a fresh fake server."""
    with fake_github(n) as gh:
        command = cli_extract_command(
            gh, out, n, "--api", "graphql", "--batch-delay", "0", "--points-per-minute", "1000000", "--fresh"
        )
        started = time.monotonic()
        rss, _ = run_child(command, cli_env(gh))
        seconds = time.monotonic() - started
    return {"rss": rss, "seconds": seconds, **{k: float(v) for k, v in gh.stats.items()}}


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--repeat", type=int, default=1, help="wall-time pairs (REST then GraphQL) to run")
    args = parser.parse_args()
    n = 200 if args.quick else 1000
    sizes = (100, 200) if args.quick else (500, 1000, 2000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-extract-graphql-"))
    print(f"load average at start: {load_average()} ({os.cpu_count()} cores)", flush=True)

    with fake_github(n) as gh:
        r, _ = run_extract(gh, tmp / "economy", api="graphql")
    g = r.manifest["graphql"]
    per = 1000 / r.prs
    core = {k: v for k, v in r.requests_by_kind.items() if not k.startswith("graphql")}
    print(
        f"economy, {r.prs} PRs, full detail: {g['queries']} queries, {g['points']} points, "
        f"{g['nodes']} nodes; per 1,000 PRs: {g['queries'] * per:.0f} queries, {g['points'] * per:.0f} "
        f"points, {g['nodes'] * per:.0f} nodes; {g['points'] / r.prs:.4f} points per PR "
        f"(server counted {gh.stats.get('points', -1)} points in {gh.stats.get('queries', -1)} queries); "
        f"page size {g['page_size']}; REST calls {sum(core.values())} {core}; "
        f"rows {r.counts}; violations {gh.stats.get('violations', -1)}",
        flush=True,
    )

    ratios: list[float] = []
    for attempt in range(1, args.repeat + 1):
        timings: dict[str, float] = {}
        results = {}
        for api in ("rest", "graphql"):
            with fake_github(n, latency=0.1) as gh:
                results[api], timings[api] = run_extract(gh, tmp / f"wall-{api}", api=api, max_workers=3)
            print(
                f"{n} PRs at 100 ms latency, {api}: {timings[api]:.1f} s, {results[api].requests} requests "
                f"({results[api].requests_by_kind}), violations {gh.stats.get('violations', -1)}",
                flush=True,
            )
        ratios.append(timings["rest"] / timings["graphql"])
        label = f" (run {attempt} of {args.repeat})" if args.repeat > 1 else ""
        print(
            f"GraphQL vs REST wall time{label}: {ratios[-1]:.1f}x faster; rows differing "
            f"in typed columns: {typed_differences(tmp / 'wall-rest', tmp / 'wall-graphql')}",
            flush=True,
        )
    if args.repeat > 1:
        print(
            f"GraphQL vs REST wall time, median of {args.repeat} runs: {statistics.median(ratios):.1f}x "
            f"(each: {', '.join(f'{r:.1f}x' for r in ratios)})",
            flush=True,
        )

    floor, _ = run_child([sys.executable, "-c", FLOOR])
    print(f"import floor (CLI and libraries imported, nothing run): {floor:.0f} MB", flush=True)
    for size in sizes:
        res = measure_memory(size, tmp / f"mem{size}")
        print(
            f"peak RSS {size} PRs (--api graphql, full detail): {res['rss']:.1f} MB = floor + "
            f"{res['rss'] - floor:.1f} MB ({res.get('queries', -1):.0f} queries, "
            f"{res.get('points', -1):.0f} points, {res['seconds']:.1f} s, "
            f"violations {res.get('violations', -1):.0f})",
            flush=True,
        )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
