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
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prseed.extract import ExtractConfig, run

from prseed.registry import adhoc_project

TOKEN = "ghp_bench_token"
REPO = "octo-org/bench"
SINCE = "2020-01-01"  # before the generator's window: --max-prs alone picks the PRs
FLOOR = (
    "import prseed.cli, extract.pipeline, extract.snapshot, extract.http, duckdb, "
    "pyarrow.parquet, pyarrow.compute"
)


@dataclass
class Fake:
    """A fake GitHub server process."""

    url: str
    proc: subprocess.Popen[str]
    violations: int = -1
    requests: int = -1


@contextmanager
def fake_github(prs: int, latency: float = 0.0) -> Iterator[Fake]:
    """Start ``python -m tests.fakegithub`` on a free port; yield its URL; read its stats at exit."""
    command = [
        sys.executable,
        "-m",
        "tests.fakegithub",
        "--port",
        "0",
        "--repo",
        REPO,
        "--prs",
        str(prs),
        "--seed",
        "7",
        "--token",
        TOKEN,
        "--latency",
        str(latency),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("fake GitHub serving"):
            url = line.rsplit(" at ", 1)[1].strip()
            break
    if not url:
        proc.kill()
        raise SystemExit(f"the fake GitHub did not start: {proc.stderr.read()}")
    fake = Fake(url, proc)
    try:
        yield fake
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        found = re.search(r"(\d+) requests, (\d+) violations", err)
        if found:
            fake.requests, fake.violations = int(found[1]), int(found[2])


def cfg(url: str, out: Path, **kw: object) -> ExtractConfig:
    """An in-process extract config against the fake server."""
    base: dict[str, object] = dict(
        project=adhoc_project(REPO).manifest_block(),
        out_dir=out,
        tokens=(TOKEN,),
        api_url=url,
        batch_delay=0.0,
        points_per_minute=1_000_000,
    )
    base.update(kw)
    return ExtractConfig(**base)  # type: ignore[arg-type]


# Linux keeps a process's peak RSS across fork and exec: a child forked from this (large)
# process would report at least our own peak. A tiny launcher forks the measured command instead.
LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "rss_mb": usage.ru_maxrss / 1024}))
"""


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a command through the launcher; return (its peak RSS in MB, its stdout)."""
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, env=env, check=False
    )
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"code": proc.returncode}
    if proc.returncode or result["code"]:
        raise SystemExit(f"benchmark child failed ({result['code']}): {proc.stderr.strip()[-800:]}")
    return float(result["rss_mb"]), "\n".join(lines[:-1])


def measure_memory(n: int, out: Path, stats: bool) -> dict[str, float]:
    """Peak RSS of one ``prseed extract`` of n PRs against a fresh fake server process."""
    env = {**os.environ, "GITHUB_TOKEN": TOKEN}
    env.pop("GITHUB_SEEDING_TOKENS", None)
    with fake_github(n) as gh:
        command = [
            sys.executable,
            "-c",
            "from prseed.cli import main; main()",
            "extract",
            "--repo",
            REPO,
            "--out",
            str(out),
            "--api-url",
            gh.url,
            "--since",
            SINCE,
            "--max-prs",
            str(n),
            "--batch-delay",
            "0",
            "--points-per-minute",
            "1000000",
            "--quiet",
            "--fresh",
            "--api",
            "rest",  # a token makes GraphQL the default: bench_extract_graphql measures that
            "--commit-stats" if stats else "--no-commit-stats",
        ]
        started = time.monotonic()
        rss, stdout = run_child(command, env)
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
    print(
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)",
        flush=True,
    )

    if not args.sizes:
        with fake_github(n_speed) as gh:
            r = run(cfg(gh.url, tmp / "economy"))
        commits = r.requests_by_kind.get("commit", 0)
        print(
            f"requests per PR: {r.requests_per_pr:.3f} (+ {commits} commit-stats calls = "
            f"{commits / r.prs:.2f}/PR, one per commit) over {r.prs} PRs; by kind "
            f"{json.dumps(r.requests_by_kind, sort_keys=True)}; violations {gh.violations}",
            flush=True,
        )

        with fake_github(n_speed, latency=0.1) as gh:
            t = time.monotonic()
            one = run(cfg(gh.url, tmp / "w1", max_workers=1, commit_stats=False))
            t1 = time.monotonic() - t
        with fake_github(n_speed, latency=0.1) as gh3:
            t = time.monotonic()
            three = run(cfg(gh3.url, tmp / "w3", max_workers=3, commit_stats=False))
            t3 = time.monotonic() - t
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
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
