"""Extract benchmarks against the fake GitHub (python -m bench.bench_extract [--quick]).

The fake GitHub always runs in its own process (``python -m tests.fakegithub``), so neither its
generated data nor its CPU time is counted against the extractor.

1. Requests per PR (goal <= 4.1 + 1 per commit), 300 PRs, commit stats on.
2. Speed-up of 3 workers over 1, 300 PRs, 100 ms latency per request, same run (goal >= 2.5x,
   zero violations). Both runs use batch_delay 0 and a pacing ceiling high enough not to bind,
   so the ratio measures concurrency, not GitHub's 900/min pacing (which caps both at 15 req/s).
3. Peak RSS of ``prseed extract`` (the real CLI, in a fresh child process; peak from wait4) for
   500, 1,000, 2,000 and 4,000 PRs, commit stats on (goal <= 300 MB at 2,000 PRs, flat: < 10 %
   growth from the smallest to the largest size). The baseline is the import floor measured in
   the same run: a child that only imports the CLI and every library the extractor uses.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from bench.fake import FLOOR, cli_env, cli_extract_command, fake_github, load_average, run_child, run_extract


def measure_memory(n: int, out: Path, stats: bool) -> dict[str, float]:
    """Peak RSS of one ``prseed extract`` of n PRs against a fresh fake server process."""
    with fake_github(n) as gh:
        command = cli_extract_command(
            gh,
            out,
            n,
            "--batch-delay",
            "0",
            "--points-per-minute",
            "1000000",
            "--fresh",
            "--api",
            "rest",  # a token makes GraphQL the default: bench_extract_graphql measures that
            "--commit-stats" if stats else "--no-commit-stats",
        )
        started = time.monotonic()
        rss, stdout = run_child(command, cli_env(gh))
        seconds = time.monotonic() - started
    found = re.search(r"requests (\d+)", stdout)
    return {
        "rss": rss,
        "seconds": seconds,
        "requests": float(found[1]) if found else -1,
        "violations": gh.violations,
    }


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--sizes", type=int, nargs="*", help="memory sizes only (skip parts 1-2)")
    parser.add_argument("--no-stats", action="store_true", help="memory runs without commit stats")
    args = parser.parse_args()
    n_speed = 60 if args.quick else 300
    sizes = tuple(args.sizes or ((100, 200) if args.quick else (500, 1000, 2000, 4000)))
    tmp = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    print(f"load average at start: {load_average()} ({os.cpu_count()} cores)", flush=True)

    if not args.sizes:
        with fake_github(n_speed) as gh:
            r, _ = run_extract(gh, tmp / "economy")
        commits = r.requests_by_kind.get("commit", 0)
        print(
            f"requests per PR: {r.requests_per_pr:.3f} (+ {commits} commit-stats calls = "
            f"{commits / r.prs:.2f}/PR, one per commit) over {r.prs} PRs; by kind "
            f"{json.dumps(r.requests_by_kind, sort_keys=True)}; violations {gh.violations}",
            flush=True,
        )

        with fake_github(n_speed, latency=0.1) as gh:
            one, t1 = run_extract(gh, tmp / "w1", max_workers=1, commit_stats=False)
        with fake_github(n_speed, latency=0.1) as gh3:
            three, t3 = run_extract(gh3, tmp / "w3", max_workers=3, commit_stats=False)
        same = all(
            (tmp / "w1" / f"{n}.parquet").read_bytes() == (tmp / "w3" / f"{n}.parquet").read_bytes()
            for n in one.counts
        )
        print(
            f"{n_speed} PRs, 100 ms latency, no commit stats: 1 worker {t1:.1f} s "
            f"({one.requests} requests), 3 workers {t3:.1f} s ({three.requests} requests): "
            f"{t1 / t3:.2f}x faster; violations {gh.violations} / {gh3.violations}; "
            f"identical snapshots: {same}",
            flush=True,
        )

    floor, _ = run_child([sys.executable, "-c", FLOOR])
    print(
        f"import floor (CLI + requests + pyarrow + duckdb imported, nothing run): {floor:.0f} MB", flush=True
    )
    stats = not args.no_stats
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        res = measure_memory(n, tmp / f"mem{n}", stats)
        results[n] = res
        print(
            f"peak RSS {n} PRs (commit stats {'on' if stats else 'off'}): {res['rss']:.1f} MB "
            f"= floor + {res['rss'] - floor:.1f} MB; {res['rss'] / floor:.2f}x floor "
            f"({res['requests']:.0f} requests, {res['seconds']:.1f} s, "
            f"violations {res['violations']})",
            flush=True,
        )
    low, high = results[min(sizes)]["rss"], results[max(sizes)]["rss"]
    print(
        f"growth {min(sizes)} -> {max(sizes)} PRs: {high / low:.3f}x "
        f"({(high - low):+.1f} MB, {100 * (high - low) / low:+.1f} %)"
    )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
