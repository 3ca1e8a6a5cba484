"""Where a GraphQL extract's wall time goes: per phase of a batch and per query kind.

``python -m bench.bench_graphql_phases [--prs 1000] [--latency 0.1]``: one ``--api graphql``
extract (3 workers) against ``python -m tests.fakegithub`` in its own process. It prints the wall
time, the CPU seconds of the extractor and of the fake (the machine has 2 cores: at 0 latency
the fake's CPU is the floor), the time spent in each step of :class:`GraphQLBatchRunner` (the
main thread's critical path) and, per request kind, the count and the sum, mean and maximum of
the time from asking to answer (governor waits included; the REST files lists run beside the
queries, so their sum exceeds their share of the wall time).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prseed.extract import github
from prseed.extract.graphql import pager
from prseed.extract.graphql.client import GraphQLClient

from bench.fake import fake_github, load_average, run_extract

# The runner's steps; fetch_rest_files is the step of the code before the lists ran beside the
# queries (kept so that the same tool profiles both).
STEPS = (
    "fetch_details",
    "fetch_continuations",
    "fetch_review_comments",
    "fetch_rest_files",
    "collect_rest_files",
)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Run one instrumented extract and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--prs", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    lock = threading.Lock()
    calls: dict[str, list[float]] = defaultdict(list)
    steps: dict[str, float] = defaultdict(float)

    def timed(fn: Callable[..., Any], record: Callable[[Any, Any, float], None]) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            started = time.monotonic()
            try:
                return fn(*a, **kw)
            finally:
                with lock:
                    record(a, kw, time.monotonic() - started)

        return wrapper

    patched: list[tuple[Any, str, Any]] = [
        (GraphQLClient, "execute", lambda a, kw, s: calls[kw["kind"]].append(s)),
        (github, "fetch_pr_list", lambda a, kw, s: calls["pull-files (REST)"].append(s)),
    ]
    for step in STEPS:
        if hasattr(pager.GraphQLBatchRunner, step):
            patched.append(
                (pager.GraphQLBatchRunner, step, lambda a, kw, s, n=step: steps.__setitem__(n, steps[n] + s))
            )
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    for owner, name, record in patched:
        setattr(owner, name, timed(getattr(owner, name), record))
    print(f"load average at start: {load_average()} ({os.cpu_count()} cores)", flush=True)
    try:
        with fake_github(args.prs, latency=args.latency) as gh:
            fake_before = _cpu_seconds(gh.proc.pid)
            ours_before = resource.getrusage(resource.RUSAGE_SELF)
            out = Path(tempfile.mkdtemp(prefix="bench-graphql-phases-")) / "s"
            result, seconds = run_extract(gh, out, api="graphql", max_workers=3)
            ours = resource.getrusage(resource.RUSAGE_SELF)
            fake_cpu = _cpu_seconds(gh.proc.pid) - fake_before
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    ours_cpu = ours.ru_utime - ours_before.ru_utime + ours.ru_stime - ours_before.ru_stime
    print(
        f"{result.prs} PRs at {1000 * args.latency:.0f} ms latency, --api graphql, 3 workers: {seconds:.1f} s "
        f"wall; CPU: extractor {ours_cpu:.1f} s, fake GitHub {fake_cpu:.1f} s; violations {gh.violations}"
    )
    print("batch steps (main thread): " + ", ".join(f"{n} {steps[n]:.1f} s" for n in STEPS if n in steps))
    for kind, times in sorted(calls.items()):
        print(
            f"  {kind:20} {len(times):4} requests, {sum(times):6.1f} s in all, "
            f"mean {1000 * sum(times) / len(times):5.0f} ms, max {1000 * max(times):5.0f} ms"
        )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
