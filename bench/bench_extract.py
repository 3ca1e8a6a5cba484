"""Extract benchmarks against the fake GitHub (python -m bench.bench_extract [--quick]).

1. Requests per PR (goal <= 4.1 + 1 per commit), 300 PRs, commit stats on.
2. Speed-up of 3 workers over 1, 300 PRs, 100 ms latency per request, same run (goal >= 2.5x,
   zero violations). Both runs use batch_delay 0 and a pacing ceiling high enough not to bind,
   so the ratio measures concurrency, not GitHub's 900/min pacing (which caps both at 15 req/s).
3. Peak RSS of the extract process for 500, 1000 and 2000 PRs (goal <= 300 MB and flat). Each
   size runs in a fresh child process that reads its own ru_maxrss; the fake server runs here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extract import ExtractConfig, run
from prseed.registry import adhoc_project
from tests.fakegithub import FakeGitHub, generate_repo

TOKEN = "ghp_bench_token"
REPO = "octo-org/bench"

CHILD = """
import json, resource, sys
from pathlib import Path
from extract import ExtractConfig, run
from prseed.registry import adhoc_project
url, out, stats = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
r = run(ExtractConfig(project=adhoc_project("octo-org/bench").manifest_block(), out_dir=out,
        tokens=("ghp_bench_token",), api_url=url, batch_delay=0, points_per_minute=1_000_000,
        commit_stats=stats))
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "prs": r.prs, "requests": r.requests, "seconds": r.seconds}))
"""


def cfg(gh: FakeGitHub, out: Path, **kw: object) -> ExtractConfig:
    base: dict[str, object] = dict(
        project=adhoc_project(REPO).manifest_block(), out_dir=out, tokens=(TOKEN,),
        api_url=gh.url, batch_delay=0.0, points_per_minute=1_000_000,
    )
    base.update(kw)
    return ExtractConfig(**base)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = parser.parse_args()
    n_speed = 60 if args.quick else 300
    sizes = (100, 200) if args.quick else (500, 1000, 2000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-extract-"))

    repo = generate_repo(REPO, n_prs=n_speed, seed=7)
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        r = run(cfg(gh, tmp / "economy"))
    commits = r.requests_by_kind.get("commit", 0)
    print(f"requests per PR: {r.requests_per_pr:.3f} (+ {commits} commit-stats calls = "
          f"{commits / r.prs:.2f}/PR, one per commit) over {r.prs} PRs; by kind "
          f"{json.dumps(r.requests_by_kind, sort_keys=True)}")

    with FakeGitHub(repos=[repo], tokens={TOKEN}, latency=0.1) as gh:
        t = time.monotonic()
        one = run(cfg(gh, tmp / "w1", max_workers=1, commit_stats=False))
        t1 = time.monotonic() - t
        v1 = gh.stats.violations
        gh.reset_stats()
        t = time.monotonic()
        three = run(cfg(gh, tmp / "w3", max_workers=3, commit_stats=False))
        t3 = time.monotonic() - t
        v3 = gh.stats.violations
    same = all((tmp / "w1" / f"{n}.parquet").read_bytes() == (tmp / "w3" / f"{n}.parquet").read_bytes()
               for n in one.counts)
    print(f"{n_speed} PRs, 100 ms latency, no commit stats: 1 worker {t1:.1f} s "
          f"({one.requests} requests), 3 workers {t3:.1f} s ({three.requests} requests): "
          f"{t1 / t3:.2f}x faster; violations {v1} / {v3}; identical snapshots: {same}")

    for stats in (False, True):
        for n in sizes:
            big = generate_repo(REPO, n_prs=n, seed=7)
            with FakeGitHub(repos=[big], tokens={TOKEN}) as gh:
                proc = subprocess.run(
                    [sys.executable, "-c", CHILD, gh.url, str(tmp / f"mem{n}{stats}"),
                     "1" if stats else "0"],
                    capture_output=True, text=True, check=True,
                )
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"peak RSS {n} PRs (commit stats {'on' if stats else 'off'}): "
                  f"{res['rss_mb']:.0f} MB ({res['requests']} requests, {res['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
