"""Extract under issue 10's fault mix: 3 workers against 1, and the time lost to waits GitHub did not impose.

``python -m bench.bench_faults [--quick] [--prs N]``

The fake GitHub runs in its own process (``python -m tests.fakegithub --fault mix``): a secondary
limit with ``retry-after: 1`` every 17th request, a 3 s answer every 37th, about 12 % 5xx,
connection resets and truncated bodies, and a header-less secondary limit every 400th request
(the token blocked 60 s). Each run gets a fresh fake process, so both see the same fault
sequence. The extractor runs with GitHub's pacing (900 requests per minute), commit stats on
(``--no-commit-stats``: off), ``batch_delay`` 0, and its default 60 s rest after a header-less
limit.

Lost time: a sampler looks at the workers every 20 ms while PRs are fetched. A worker slot is
*busy* (running a task: a request in flight or its answer being processed), *imposed* (its task
waits for a ``retry-after``, for the documented 60 s of a header-less limit, for a primary reset,
or for the 900/minute pacing) or *lost* (anything else: no task although PRs remain to be
started, e.g. while a slow answer holds a batch, backing off after a 5xx, resting longer than GitHub asked, held back by our own
concurrency cap). The lost share is the lost slot-seconds
divided by the worker count, over the wall time of the whole run. Goals (issue 10): lost share
<= 10 %, 3 workers >= 1.2x faster than 1, zero violations.

``--quick`` scales the header-less block and the rest alike (60 s -> 6 s) and uses 60 PRs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prseed.extract import Progress, github, pipeline, run
from prseed.extract.governor import Governor, SecondaryBlock
from prseed.extract.workdir import WorkDir

from bench.fake import Fake, extract_config, fake_github, load_average

TOKEN = "ghp_bench_faults_token"
SAMPLE = 0.02
# The work the pool's threads do during the PR phase (one task each, see extract.pipeline).
TASKS = ("fetch_pr_list", "fetch_commit_detail", "fetch_pull_detail")


class _MeteredCondition(threading.Condition):
    """The governor's condition: a wait on it is a worker held back by our own concurrency cap."""

    def __init__(self, governor: MeteredGovernor) -> None:
        super().__init__()
        self.governor = governor

    def wait(self, timeout: float | None = None) -> bool:
        with self.governor.meter:
            self.governor.waiting["cap"] += 1
        try:
            return super().wait(timeout)
        finally:
            with self.governor.meter:
                self.governor.waiting["cap"] -= 1


class MeteredGovernor(Governor):
    """The governor, telling the sampler what each worker waits for (instrumentation only)."""

    current: MeteredGovernor | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["sleep"] = self._metered_sleep
        super().__init__(*args, **kwargs)
        self.meter = threading.Lock()
        self.waiting: Counter[str] = Counter()
        self.local = threading.local()
        self.imposed_until = [0.0] * self._n
        self.min_wait = self._secondary_min_wait
        self._cond = _MeteredCondition(self)
        MeteredGovernor.current = self

    def _record(self, reason: str, until: float, seconds: float) -> None:
        self.local.reason = reason
        super()._record(reason, until, seconds)

    def backoff(self, attempt: int, base: float, key: str = "") -> float:
        self.local.reason = "backoff"
        return super().backoff(attempt, base, key)

    def _metered_sleep(self, seconds: float) -> None:
        reason = getattr(self.local, "reason", None) or "other"
        with self.meter:
            self.waiting[reason] += 1
        try:
            time.sleep(seconds)
        finally:
            with self.meter:
                self.waiting[reason] -= 1
            self.local.reason = None

    def secondary_limited(self, token: int, retry_after: float | None) -> SecondaryBlock:
        block = super().secondary_limited(token, retry_after)
        if block.started:
            # What GitHub imposes: retry-after, else "at least one minute" (min_wait here).
            imposed = retry_after if retry_after is not None else self.min_wait
            self.imposed_until[token] = max(self.imposed_until[token], time.time() + imposed)
        return block

    def snapshot(self) -> tuple[Counter[str], float]:
        """(waiting threads by reason, end of the block GitHub imposed)."""
        with self.meter:
            waiting = Counter(self.waiting)
        return waiting, max(self.imposed_until)


def measure(fake: Fake, out: Path, workers: int, min_wait: float, commit_stats: bool) -> dict[str, float]:
    """One extract; returns wall time, lost time and the manifest's figures."""
    phase = {"now": "listing"}

    def progress(p: Progress) -> None:
        phase["now"] = p.phase

    config = extract_config(
        fake,
        out,
        points_per_minute=900,  # GitHub's pacing, not the benchmarks' default that does not bind
        max_workers=workers,
        secondary_min_wait=min_wait,
        read_timeout=10.0,
        commit_stats=commit_stats,
    )
    lost = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal lost
        last = time.monotonic()
        while not stop.wait(SAMPLE):
            now = time.monotonic()
            dt, last = now - last, now
            governor = MeteredGovernor.current
            if governor is None or phase["now"] != "pulls":
                continue
            waiting, imposed_until = governor.snapshot()
            with lock:
                tasks = min(running["tasks"], workers)
            imposed = waiting["pacing"] + waiting["primary"]
            if time.time() < imposed_until:
                imposed += waiting["secondary"]
            sleeping = sum(waiting.values())
            # Slots without a task while work remains, plus tasks sleeping for a reason GitHub
            # did not give.
            idle = 0 if exhausted.is_set() else workers - tasks
            lost += dt * (idle + max(0, sleeping - imposed)) / workers

    running = Counter[str]()
    lock = threading.Lock()
    originals = {name: getattr(github, name) for name in TASKS}

    def counted(fn: Any) -> Any:
        def task(*args: Any) -> Any:
            with lock:
                running["tasks"] += 1
            try:
                return fn(*args)
            finally:
                with lock:
                    running["tasks"] -= 1

        return task

    for name, fn in originals.items():
        setattr(github, name, counted(fn))
    # Once the last batch is handed out, a slot without a task has no work left: not a wait.
    exhausted = threading.Event()
    read_batches = WorkDir.read_pull_batches

    def batches(self: WorkDir, *args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from read_batches(self, *args, **kwargs)
        exhausted.set()

    WorkDir.read_pull_batches = batches  # type: ignore[method-assign]
    original = pipeline.Governor
    pipeline.Governor = MeteredGovernor  # type: ignore[misc]
    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    sampler.start()
    try:
        result = run(config, progress)
    finally:
        stop.set()
        sampler.join()
        pipeline.Governor = original  # type: ignore[misc]
        for name, fn in originals.items():
            setattr(github, name, fn)
        WorkDir.read_pull_batches = read_batches  # type: ignore[method-assign]
    wall = time.monotonic() - started
    waits = result.manifest["waits"]["by_reason"]
    return {
        "wall": wall,
        "lost": lost,
        "requests": result.requests,
        "retries": result.retries,
        "prs": result.prs,
        "secondary_count": waits.get("secondary", {}).get("count", 0),
        "secondary_seconds": waits.get("secondary", {}).get("seconds", 0.0),
    }


def main() -> None:
    """Run 1 worker and 3 workers under the fault mix; print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="60 PRs, 6 s header-less rests")
    parser.add_argument("--prs", type=int, help="pull requests (default 300, quick 60)")
    parser.add_argument("--no-commit-stats", action="store_true", help="skip the per-commit requests")
    args = parser.parse_args()
    prs = args.prs or (60 if args.quick else 300)
    quiet = 6.0 if args.quick else 60.0
    tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(
        f"{prs} PRs, commit stats {'off' if args.no_commit_stats else 'on'}, header-less rests "
        f"{quiet:.0f} s; load average at start: {load_average()} "
        f"({os.cpu_count()} cores)",
        flush=True,
    )
    figures: dict[int, dict[str, float]] = {}
    for workers in (1, 3):
        with fake_github(prs, faults=["mix"], quiet_seconds=quiet, token=TOKEN) as gh:
            res = measure(gh, tmp / f"w{workers}", workers, quiet, not args.no_commit_stats)
        res["violations"] = gh.violations
        figures[workers] = res
        print(
            f"{workers} worker(s): {res['wall']:.1f} s wall, lost {res['lost']:.1f} s "
            f"({100 * res['lost'] / res['wall']:.1f} %), {res['requests']:.0f} requests, "
            f"{res['retries']:.0f} retries, secondary rests {res['secondary_count']:.0f} "
            f"({res['secondary_seconds']:.1f} s), {res['prs']:.0f} PRs, violations {res['violations']:.0f}",
            flush=True,
        )
    same = all(
        (tmp / "w1" / f"{t}.parquet").read_bytes() == (tmp / "w3" / f"{t}.parquet").read_bytes()
        for t in ("pull_requests", "commits", "reviews", "files", "check_runs", "contributors")
    )
    speedup = figures[1]["wall"] / figures[3]["wall"]
    print(
        f"3 workers vs 1 under the mix: {speedup:.2f}x faster; lost share (3 workers) "
        f"{100 * figures[3]['lost'] / figures[3]['wall']:.1f} %; identical snapshots: {same}"
    )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
