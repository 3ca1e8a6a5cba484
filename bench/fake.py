"""The fake GitHub for benchmarks: start it in its own process, extract against it, read its counts.

Every extract benchmark starts ``python -m tests.fakegithub`` (REST and GraphQL over one
generated repository) in a child process, so neither its generated data nor its CPU time is
counted against the extractor, and reads what the server counted when it is stopped. Each
benchmark still parses and prints its own figures.

Typical use::

    with fake_github(1000, latency=0.1) as gh:
        result, seconds = run_extract(gh, tmp / "out", api="graphql", max_workers=3)
    print(seconds, gh.violations, gh.stats.get("points"))
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prseed.extract import ExtractConfig, ExtractResult, ProgressSink, run

from prseed.registry import adhoc_project

TOKEN = "ghp_bench_token"
REPO = "octo-org/bench"
SINCE = "2020-01-01"  # before the generator's window: --max-prs alone picks the PRs
# What the extract CLI imports before it does anything: the baseline of the memory benchmarks.
FLOOR = (
    "import prseed.cli, extract.pipeline, extract.snapshot, extract.http, duckdb, "
    "pyarrow.parquet, pyarrow.compute"
)
# The fake's closing line on stderr (tests/fakegithub/__main__.py) and what each number is.
_STATS = (
    (re.compile(r"(\d+) requests, (\d+) violations"), ("requests", "violations")),
    (re.compile(r"(\d+) GraphQL queries for (\d+) points"), ("queries", "points")),
)


@dataclass
class Fake:
    """A running fake GitHub process and, once stopped, what it counted.

    Attributes:
        url: the API root to pass as ``api_url`` (``http://127.0.0.1:PORT``).
        token: the token it accepts.
        repo: the ``OWNER/NAME`` it serves.
        proc: the server process.
        stats: filled when the context exits: ``requests`` and ``violations`` (every request,
            REST and GraphQL), ``queries`` and ``points`` (GraphQL only).
    """

    url: str
    token: str
    repo: str
    proc: subprocess.Popen[str]
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def violations(self) -> int:
        """Rate-limit violations the server counted (-1 until it is stopped)."""
        return self.stats.get("violations", -1)

    @property
    def requests(self) -> int:
        """Requests the server answered (-1 until it is stopped)."""
        return self.stats.get("requests", -1)


@contextmanager
def fake_github(
    prs: int,
    *,
    latency: float = 0.0,
    faults: Iterable[str] = (),
    quirks: Iterable[str] = (),
    quiet_seconds: float | None = None,
    huge_pr: bool = False,
    many_comments: bool = False,
    token: str = TOKEN,
    repo: str = REPO,
    seed: int = 7,
) -> Iterator[Fake]:
    """Start ``python -m tests.fakegithub`` on a free port; stop it and read its counts at exit.

    Args:
        prs: pull requests in the generated repository.
        latency: seconds the server adds to every request.
        faults: fault presets (``--fault``, e.g. ``"mix"``).
        quirks: real GitHub's odd answers to switch on (``--quirk``).
        quiet_seconds: the block after a header-less secondary limit (overrides the presets).
        huge_pr: add a PR with more than 3,000 files.
        many_comments: give three PRs more than 100 comments.
        token: the one token the server accepts.
        repo: ``OWNER/NAME`` to serve.
        seed: the generator's seed.

    Yields:
        The running server; its ``stats`` are filled once the context exits.

    Raises:
        SystemExit: the server did not start (its stderr in the message).
    """
    command = [sys.executable, "-m", "tests.fakegithub", "--port", "0", "--repo", repo, "--prs", str(prs)]
    command += ["--seed", str(seed), "--token", token, "--latency", str(latency)]
    command += [a for f in faults for a in ("--fault", f)]
    command += [a for q in quirks for a in ("--quirk", q)]
    if quiet_seconds is not None:
        command += ["--quiet-seconds", str(quiet_seconds)]
    command += ["--huge-pr"] if huge_pr else []
    command += ["--many-comments"] if many_comments else []
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
    fake = Fake(url, token, repo, proc)
    try:
        yield fake
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        for pattern, names in _STATS:
            found = pattern.search(err)
            if found:
                fake.stats.update(zip(names, (int(g) for g in found.groups()), strict=True))


def extract_config(fake: Fake, out: Path, **kw: object) -> ExtractConfig:
    """An in-process extract config against a fake server.

    Defaults: the fake's repository and token, ``batch_delay`` 0 and a points-per-minute
    ceiling that does not bind (benchmarks measure the extractor, not GitHub's pacing); ``kw``
    overrides any :class:`ExtractConfig` field (``api``, ``max_workers``, ``commit_stats``...).
    """
    base: dict[str, object] = dict(
        project=adhoc_project(fake.repo).manifest_block(),
        out_dir=out,
        tokens=(fake.token,),
        api_url=fake.url,
        batch_delay=0.0,
        points_per_minute=1_000_000,
    )
    base.update(kw)
    return ExtractConfig(**base)  # type: ignore[arg-type]


def run_extract(
    fake: Fake, out: Path, progress: ProgressSink | None = None, **kw: object
) -> tuple[ExtractResult, float]:
    """Extract in this process against a fake server (config as :func:`extract_config`).

    Returns:
        The extract's result and its wall time in seconds.
    """
    config = extract_config(fake, out, **kw)
    started = time.monotonic()
    result = run(config, progress)
    return result, time.monotonic() - started


def cli_extract_command(fake: Fake, out: Path, prs: int, *extra: str) -> list[str]:
    """The real ``prseed extract`` CLI as a child command: ``prs`` PRs of the fake into ``out``.

    ``extra`` adds options (``--api rest``, ``--fresh``...); run it with :func:`cli_env`.
    """
    command = [sys.executable, "-c", "from prseed.cli import main; main()", "extract", "--repo", fake.repo]
    command += ["--out", str(out), "--api-url", fake.url, "--since", SINCE, "--max-prs", str(prs)]
    return [*command, "--quiet", *extra]


def cli_env(fake: Fake) -> dict[str, str]:
    """This process's environment with the fake's token as the only token."""
    env = {**os.environ, "GITHUB_TOKEN": fake.token}
    env.pop("GITHUB_SEEDING_TOKENS", None)
    return env


# Linux keeps a process's peak RSS across fork and exec: a child forked from this (large)
# process would report at least our own peak. A tiny launcher forks the measured command instead.
LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "rss_mb": usage.ru_maxrss / 1024}))
"""


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a command through the launcher; return (its peak RSS in MB, its stdout).

    Raises:
        SystemExit: the command failed (the end of its stderr in the message).
    """
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, env=env, check=False
    )
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"code": proc.returncode}
    if proc.returncode or result["code"]:
        raise SystemExit(f"benchmark child failed ({result['code']}): {proc.stderr.strip()[-800:]}")
    return float(result["rss_mb"]), "\n".join(lines[:-1])


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, e.g. ``"1.02 0.87 0.66"`` (the machine is shared)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
