"""Start the fake GitHub by hand: `python -m tests.fakegithub --port 8765 --prs 300`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from tests.fakegithub.faults import Faults
from tests.fakegithub.generate import generate_repo
from tests.fakegithub.quirk_presets import QUIRK_HELP, QUIRK_PRESETS, apply_quirks, old_name
from tests.fakegithub.server import FakeGitHub

FAULT_PRESETS: dict[str, dict[str, object]] = {
    "primary": {"core_limit": 200, "reset_seconds": 10.0},
    "primary429": {"core_limit": 200, "reset_seconds": 10.0, "primary_status": 429},
    "secondary": {"secondary_every": 25, "secondary_retry_after": 2},
    "secondary-quiet": {"secondary_every": 50, "secondary_retry_after": None, "secondary_quiet_seconds": 2.0},
    "secondary429": {"secondary_every": 25, "secondary_status": 429},
    "concurrency": {"max_concurrency": 3},
    "5xx": {"server_error_every": 7},
    "reset": {"reset_every": 11},
    "truncate": {"truncate_every": 13},
    "slow": {"slow_every": 9, "slow_seconds": 2.0},
    "auth": {"fail_auth": True},
    # GraphQL (POST /graphql): GitHub's 5,000 points per hour, shortened to 60 s; its 2,000
    # points per minute; heavy queries failing; one PR missing from a page once.
    "graphql-primary": {"graphql_limit": 5000, "reset_seconds": 60.0},
    "graphql-primary403": {"graphql_limit": 5000, "reset_seconds": 60.0, "graphql_limited_answer": "403"},
    "graphql-secondary": {"graphql_points_per_minute": 2000},
    "graphql-heavy": {"graphql_heavy_nodes": 20_000, "graphql_heavy_answer": "502"},
    "graphql-resource-limits": {"graphql_heavy_nodes": 20_000, "graphql_heavy_answer": "resource_limits"},
    # Issue 10's mix, as measured on real history: a retry-after limit every 17th request, a
    # 3 s answer every 37th, about 12 % 5xx/resets/truncated bodies, a header-less limit
    # (60 s quiet) every 400th.
    "mix": {
        "secondary_every": 17,
        "secondary_retry_after": 1,
        "slow_every": 37,
        "slow_seconds": 3.0,
        "server_error_every": 20,
        "reset_every": 25,
        "truncate_every": 33,
        "quiet_secondary_every": 400,
        "secondary_quiet_seconds": 60.0,
    },
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(
        prog="python -m tests.fakegithub", description="Serve a generated repository like api.github.com."
    )
    p.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0: any)")
    p.add_argument(
        "--repo",
        action="append",
        default=None,
        help="OWNER/NAME to serve (repeatable; default octo-org/demo)",
    )
    p.add_argument("--prs", type=int, default=300, help="pull requests per repository")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--anchor", default="2026-11-01", help="end of the 180-day PR window")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    p.add_argument("--prefix", default="", help='path prefix, e.g. "/api/v3" (GHES style)')
    p.add_argument(
        "--token",
        action="append",
        default=None,
        help="accepted token (repeatable); without it any token or none is accepted",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=sorted(FAULT_PRESETS),
        help="switch on a misbehaviour preset (repeatable)",
    )
    p.add_argument(
        "--quirk",
        action="append",
        default=[],
        choices=sorted(QUIRK_PRESETS),
        metavar="NAME",
        help="switch on one of real GitHub's odd answers (repeatable): "
        + "; ".join(f"{name}: {QUIRK_HELP[name]}" for name in sorted(QUIRK_PRESETS)),
    )
    p.add_argument("--huge-pr", action="store_true", help="add a PR with more than 3,000 files")
    p.add_argument(
        "--many-comments",
        action="store_true",
        help="give three PRs more than 100 review and/or conversation comments",
    )
    p.add_argument(
        "--quiet-seconds", type=float, help="block after a header-less secondary limit (overrides presets)"
    )
    p.add_argument(
        "--id-links",
        action="store_true",
        help="Link headers use /repositories/{id}/... paths like api.github.com",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run until Ctrl-C."""
    args = parse_args(argv)
    names = args.repo or ["octo-org/demo"]
    repos = [
        generate_repo(
            n,
            n_prs=args.prs,
            seed=args.seed,
            anchor=args.anchor,
            huge_pr=args.huge_pr,
            many_comments=args.many_comments,
        )
        for n in names
    ]
    settings: dict[str, object] = {}
    for name in args.fault:
        settings.update(FAULT_PRESETS[name])
    if args.quiet_seconds is not None:
        settings["secondary_quiet_seconds"] = args.quiet_seconds
    faults = Faults(**settings)  # type: ignore[arg-type]
    tokens = set(args.token) if args.token else None
    quirks = apply_quirks(args.quirk, repos)
    gh = FakeGitHub(
        repos=repos,
        tokens=tokens,
        faults=faults,
        latency=args.latency,
        prefix=args.prefix,
        port=args.port,
        id_links=args.id_links,
        quirks=quirks,
    ).start()
    print(f"fake GitHub serving {', '.join(names)} ({args.prs} PRs each) at {gh.url}")
    if args.fault:
        print(f"faults: {faults}")
    for name in args.quirk:
        print(f"quirk {name}: {QUIRK_HELP[name]}")
    if quirks.moved:
        print(f"moved: {', '.join(f'{old} -> {new}' for old, new in quirks.moved.items())}")
    token_hint = "" if tokens else "GITHUB_TOKEN=anything "
    print("try:")
    for n in names:
        asked = old_name(n) if quirks.moved else n
        print(f"  {token_hint}prseed extract --repo {asked} --api-url {gh.url}")
    print(f"GraphQL: POST http://127.0.0.1:{gh.port}{gh.graphql.path}")
    print("Ctrl-C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    gh.stop()
    s = gh.stats
    print(
        f"\n{s.requests} requests, {s.violations} violations, {s.not_modified} not modified, "
        f"{s.rate_limited} rate limited, peak {s.max_inflight} in flight; "
        f"{gh.graphql.stats.queries} GraphQL queries for {gh.graphql.stats.points} points",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
