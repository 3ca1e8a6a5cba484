"""Incremental refresh benchmarks (python -m bench.bench_refresh [--prs N] [--time-prs M]).

The fake GitHub runs in this process (a refresh needs ``FakeGitHub.mutate()`` between runs), so
its CPU time shares the machine with the extractor; request and point counts are exact either way.

1. Refresh of an unchanged N-PR snapshot (default 1,000): REST requests and primary points (goal
   <= 15 requests, 0 points: every conditional request answered 304); GraphQL points (goal <= 2).
2. Refresh after 5 % of the PRs changed (a review, a conversation comment, a title edit or a
   force push each): REST requests against what those PRs alone cost in a full extraction of the
   same state (counted from the fake's request log of that full extraction; goal <= 1.2x);
   GraphQL points against the full extraction's.
3. Wall time of the 5 % refresh against a full extraction, M PRs (default 300) at 100 ms latency
   per request, both runs in the same process and state.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from prseed.extract import ExtractConfig, ExtractResult, run

from prseed.registry import adhoc_project
from tests.fakegithub import FakeGitHub, Faults, GeneratedRepo, generate_repo

TOKEN = "ghp_bench_refresh_token"
REPO = "octo-org/refresh-bench"


def config(gh: FakeGitHub, out: Path, api: str, **kw: Any) -> ExtractConfig:
    base: dict[str, Any] = dict(
        project=adhoc_project(REPO).manifest_block(),
        out_dir=out,
        tokens=(TOKEN,),
        api_url=gh.url,
        batch_delay=0.0,
        points_per_minute=100_000,
        max_prs=None,
        synthetic=True,
        api=api,
    )
    base.update(kw)
    return ExtractConfig(**base)


def points(result: ExtractResult) -> int:
    """GraphQL points, or REST primary points (requests that were not 304s or rate-limit checks)."""
    m = result.manifest
    if m.get("api") == "graphql":
        return int(m["graphql"]["points"])
    by_kind = m["requests"]["by_kind"]
    return (
        int(m["requests"]["total"]) - int(m["requests"]["not_modified"]) - int(by_kind.get("rate-limit", 0))
    )


def change(gh: FakeGitHub, repo: GeneratedRepo, share: float) -> list[int]:
    """Change every (1/share)-th PR: a review, a comment, a title edit or a force push."""
    numbers = sorted(repo.pull_details)
    step = max(1, round(1 / share))
    chosen = numbers[::step]
    with gh.mutate() as m:
        for i, n in enumerate(chosen):
            kind = i % 4
            if kind == 0:
                m.add_review(n, "APPROVED", comments=1)
            elif kind == 1:
                m.add_issue_comment(n)
            elif kind == 2:
                m.edit_title(n, f"Retitled #{n}")
            elif repo.pull_details[n]["state"] == "open":
                m.force_push(n)
            else:
                m.add_review(n, "COMMENTED")
    return chosen


def pr_requests(log: list[str], out: Path, numbers: list[int]) -> int:
    """Requests of a full extraction's log that belong to the PRs ``numbers``."""
    wanted = set(numbers)
    commits = pq.read_table(out / "commits.parquet", columns=["pr_number", "sha"]).to_pylist()
    heads = pq.read_table(out / "pull_requests.parquet", columns=["number", "head_sha"]).to_pylist()
    shas = {c["sha"] for c in commits if c["pr_number"] in wanted}
    shas |= {h["head_sha"] for h in heads if h["number"] in wanted}
    pattern = re.compile(
        r" /repos/[^/]+/[^/]+/(?:pulls|issues)/(\d+)(?:[/?]|$)| /repos/[^/]+/[^/]+/commits/([0-9a-f]+)"
    )
    count = 0
    for line in log:
        found = pattern.search(line)
        if found and ((found.group(1) and int(found.group(1)) in wanted) or found.group(2) in shas):
            count += 1
    return count


def counts(prs: int, share: float, api: str, root: Path) -> None:
    repo = generate_repo(REPO, n_prs=prs, seed=41)
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        out = root / f"{api}-snap"
        first = run(config(gh, out, api))
        gh.reset_stats()
        same = run(config(gh, out, api))
        assert same.mode == "refresh", same.mode_note
        print(
            f"{api:7} unchanged {same.prs} PRs: {same.requests} requests "
            f"({same.manifest['requests']['not_modified']} answered 304, by kind {same.requests_by_kind}), "
            f"{points(same)} points (full extraction: {first.requests} requests, {points(first)} points)"
        )
        chosen = change(gh, repo, share)
        gh.reset_stats()
        fresh = run(config(gh, out, api))
        lineage = fresh.manifest["lineage"]["prs"]
        gh.reset_stats()
        full = run(config(gh, root / f"{api}-full", api))
        log = list(gh.stats.request_log)
        same_bytes = all(
            (out / f"{t}.parquet").read_bytes() == (root / f"{api}-full" / f"{t}.parquet").read_bytes()
            for t in full.manifest["tables"]
        )
        if api == "rest":
            alone = pr_requests(log, root / f"{api}-full", chosen)
            print(
                f"{api:7} {len(chosen)} PRs changed ({share:.0%}): refresh {fresh.requests} requests, "
                f"{points(fresh)} points; those PRs alone in the full extraction: {alone} requests -> "
                f"{fresh.requests / alone:.2f}x (goal <= 1.2x); full: {full.requests} requests; "
                f"refetched {lineage['refetched']}, kept {lineage['kept']}; identical tables: {same_bytes}"
            )
        else:
            print(
                f"{api:7} {len(chosen)} PRs changed ({share:.0%}): refresh {points(fresh)} points, "
                f"{fresh.requests} requests (REST and GraphQL); full extraction {points(full)} points "
                f"({points(fresh) / max(1, points(full)):.2f}x); refetched {lineage['refetched']}, "
                f"kept {lineage['kept']}, listing {fresh.manifest['lineage']['listing']}; identical "
                f"tables: {same_bytes}"
            )


def wall_time(prs: int, share: float, api: str, root: Path, latency: float) -> None:
    repo = generate_repo(REPO, n_prs=prs, seed=43)
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        out = root / f"{api}-time"
        run(config(gh, out, api))
        change(gh, repo, share)
        gh.set_faults(Faults(latency=latency))
        started = time.monotonic()
        fresh = run(config(gh, out, api))
        refresh_s = time.monotonic() - started
        started = time.monotonic()
        run(config(gh, root / f"{api}-time-full", api))
        full_s = time.monotonic() - started
        print(
            f"{api:7} wall time, {prs} PRs, {share:.0%} changed, {latency * 1000:.0f} ms latency: refresh "
            f"{refresh_s:.1f} s ({fresh.requests} requests), full {full_s:.1f} s -> {full_s / refresh_s:.1f}x faster"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=1000, help="PRs of the count benchmarks")
    parser.add_argument("--time-prs", type=int, default=300, help="PRs of the wall-time benchmark")
    parser.add_argument("--share", type=float, default=0.05, help="share of PRs changed")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request (wall time)")
    parser.add_argument("--api", choices=("rest", "graphql"), action="append", help="default: both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prseed-bench-refresh-") as tmp:
        root = Path(tmp)
        for api in args.api or ("rest", "graphql"):
            counts(args.prs, args.share, api, root)
        for api in args.api or ("rest", "graphql"):
            wall_time(args.time_prs, args.share, api, root, args.latency)


if __name__ == "__main__":
    main()
