"""Run every benchmark of bench/ one after the other (``make bench``).

Each benchmark prints its own figures with ratios against a baseline measured in the same run;
``--quick`` passes the small sizes through, for a smoke run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

QUICK = {
    "bench.bench_extract": ["--quick"],
    "bench.bench_extract_graphql": ["--quick"],
    "bench.bench_faults": ["--quick"],
    "bench.bench_transform": ["--sizes", "2000", "10000"],
    "bench.bench_load": ["--prs", "5000", "--orm-prs", "1000"],
    "bench.bench_report": ["--prs", "200"],
    "bench.bench_etags": ["--prs", "300"],
    "bench.bench_refresh": ["--prs", "200", "--time-prs", "60"],
}


def main() -> int:
    """Run the benchmarks; exit non-zero if one fails."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument(
        "only",
        nargs="*",
        help="extract, extract_graphql, faults, transform, load, report, etags and/or refresh (default: all)",
    )
    args = parser.parse_args()
    failed = 0
    for module, quick_args in QUICK.items():
        if args.only and module.removeprefix("bench.bench_") not in args.only:
            continue
        print(f"== {module}", flush=True)
        command = [sys.executable, "-m", module, *(quick_args if args.quick else [])]
        failed += subprocess.call(command) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
