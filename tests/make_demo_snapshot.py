"""Re-create the committed demo snapshot: the real extractor against the fake GitHub.

`make demo-snapshot` runs this. The repository is synthetic (tests/fakegithub generates it from a
fixed seed and anchor date), so the snapshot holds no real people or code, and the same command
always produces the same Parquet bytes; only the manifest's timestamps change.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fakegithub import FakeGitHub, generate_repo

REPO = "prseed-demo/acme-app"  # the `demo` project of projects.toml
SEED = 7
ANCHOR = "2026-11-01"
SINCE = "2026-05-05"  # the generator spreads PRs over the 180 days before the anchor


def main() -> int:
    """Serve the generated repository and run `prseed extract demo` against it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=300, help="PRs in the generated repository")
    parser.add_argument("--out", default="snapshots/demo", help="snapshot folder")
    args = parser.parse_args()
    repo = generate_repo(REPO, n_prs=args.prs, seed=SEED, anchor=ANCHOR)
    with FakeGitHub(repos=[repo]) as gh:
        command = [
            sys.executable,
            "-c",
            "from prseed.cli import main; main()",
            "extract",
            "demo",
            "--api-url",
            gh.url,
            "--since",
            SINCE,
            "--until",
            ANCHOR,
            "--out",
            args.out,
            "--batch-delay",
            "0",
            "--fresh",
            "--full",  # re-create: a snapshot already there would otherwise be refreshed
        ]
        code = subprocess.call(command)
        # The ETags of a token-less fake are of no use to anyone: the demo carries no etags/.
        shutil.rmtree(Path(args.out) / "etags", ignore_errors=True)
        print(f"fake GitHub: {gh.stats.requests} requests, {gh.stats.violations} rate-limit violations")
        return code if gh.stats.violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
