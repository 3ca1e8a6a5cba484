"""Size of the conditional-request side folder (python -m bench.bench_etags [--prs N]).

Lists a fake repository's PRs (``state=all``, ``sort=created``, 100 per page, as the extract and
the refresh do) and its contributors through the real client, keeps per page the record a refresh
needs on a 304 (number, created_at, updated_at, head sha and state of each PR; login and
contributions of each contributor; the next page's URL), writes the store as a snapshot's
``etags/`` folder and prints its size, per PR and against the demo snapshot's Parquet bytes per PR.
Sizes, not times: the fake runs in-process.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from prseed.extract.etags import EtagStore
from prseed.extract.governor import Governor
from prseed.extract.http import Client
from prseed.extract.paginator import first_url

from tests.fakegithub import FakeGitHub, generate_repo

ROOT = Path(__file__).resolve().parents[1]
REPO = "octo-org/etags-bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=1000)
    args = parser.parse_args()
    repo = generate_repo(REPO, n_prs=args.prs, seed=3)
    lists = (
        (
            f"/repos/{REPO}/pulls",
            {"state": "all", "sort": "created", "direction": "desc"},
            lambda d: [
                [p["number"], p["created_at"], p["updated_at"], p["head"]["sha"], p["state"]] for p in d
            ],
        ),
        (
            f"/repos/{REPO}/contributors",
            {},
            lambda d: [[u["login"], u.get("contributions")] for u in d or []],
        ),
    )
    with FakeGitHub(repos=[repo]) as gh:
        client = Client(gh.url, ("bench-token",), Governor(1, points_per_minute=10**6), etag_cache_size=0)
        store = EtagStore()
        for path, params, compact in lists:
            url: str | None = first_url(client, path, params)
            while url is not None:
                r = client.get(url, kind="list")
                assert r.etag is not None
                store.record(url, r.fingerprint, r.etag, {"rows": compact(r.data), "next": r.next_url()})
                url = r.next_url()
    with tempfile.TemporaryDirectory() as tmp:
        files = store.write(Path(tmp), "0" * 64)  # a snapshot names its tables' digest
        size = sum(f.stat().st_size for f in files)
    demo = json.loads((ROOT / "snapshots" / "demo" / "manifest.json").read_text())
    demo_bytes = sum(
        (ROOT / "snapshots" / "demo" / e["file"]).stat().st_size for e in demo["tables"].values()
    )
    demo_per_pr = demo_bytes / demo["tables"]["pull_requests"]["rows"]
    print(f"etags/ for {args.prs:,} PRs: {len(store)} entries, {len(files)} file, {size:,} bytes")
    print(
        f"  {size / args.prs:.0f} bytes per PR; the demo snapshot's tables: {demo_per_pr:,.0f} bytes per PR "
        f"({size / args.prs / demo_per_pr:.1%})"
    )


if __name__ == "__main__":
    main()
