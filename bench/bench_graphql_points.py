"""GraphQL points per PR by run size, clean and under issue 10's fault mix (issue 12 §6).

``python -m bench.bench_graphql_points [--sizes 39,150,1000]``: for each size, the real
``prseed extract`` (GraphQL, the default with a token) against ``python -m tests.fakegithub``
(with and without ``--fault mix``); prints the manifest's queries, points and points per PR. The
fixed costs of a run (the list pages, the profiles query) amortise over few PRs, and faults make
queries be asked again, so small runs spend more per PR than the 1,000-PR figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from bench.fake import cli_env, cli_extract_command, fake_github


def measure(prs: int, faults: list[str]) -> dict[str, float]:
    """One extract of ``prs`` PRs; the manifest's GraphQL figures."""
    with fake_github(prs, faults=faults) as gh, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s"
        command = cli_extract_command(gh, out, prs)
        done = subprocess.run(command, env=cli_env(gh), capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise SystemExit(f"extract of {prs} PRs failed: {done.stderr}")
        manifest = json.loads((out / "manifest.json").read_text())
    g = manifest["graphql"]
    n = manifest["tables"]["pull_requests"]["rows"]
    return {"prs": n, "queries": g["queries"], "points": g["points"], "per_pr": g["points"] / n}


def main() -> None:
    """Print one line per size and fault setting."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="39,150,1000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        for faults in ([], ["mix"]):
            m = measure(size, faults)
            label = "mix" if faults else "clean"
            print(
                f"{size:>5} PRs {label:>5}: {m['queries']} queries, {m['points']} points, "
                f"{m['per_pr']:.4f} points per PR",
                flush=True,
            )


if __name__ == "__main__":
    main()
