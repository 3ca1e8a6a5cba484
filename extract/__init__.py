"""The extract stage: GitHub pull requests -> a Parquet snapshot under ``snapshots/<project>/``.

One entry point, :func:`run`, taking a frozen :class:`ExtractConfig`. The stage never reads the
environment or prints: the CLI builds the config and renders :class:`Progress` reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prseed.extract.config import DEFAULT_API_URL, ExtractConfig, ExtractResult, Progress, ProgressSink
from prseed.extract.plan import plan

from prseed.errors import AuthError, ConfigError
from prseed.outputs import check_output_dir

if TYPE_CHECKING:
    from prseed.extract.governor import Governor

__all__ = [
    "DEFAULT_API_URL",
    "ExtractConfig",
    "ExtractResult",
    "Progress",
    "ProgressSink",
    "check_output",
    "check_run",
    "plan",
    "run",
]


def run(
    config: ExtractConfig, progress: ProgressSink | None = None, governor: Governor | None = None
) -> ExtractResult:
    """Extract a project's pull requests into a snapshot folder.

    Lists each repository's PRs of the window (newest created first; REST checkpoints the
    listing page by page), fetches their commits, files, reviews and head check runs (plus
    commit stats) in durable batches - through GitHub's GraphQL API with
    ``config.api == "graphql"`` (see :mod:`extract.graphql`), else REST - then the contributors,
    and finally replaces ``config.out_dir`` atomically with the sorted Parquet tables and a
    manifest.

    When ``config.out_dir`` holds a complete snapshot of the same options (the window aside) and
    ``config.full`` is not set, the run is a *refresh* (:mod:`extract.refresh`): the PR set is
    found as a full extraction would find it, unchanged PRs' rows are copied from the old
    snapshot, only changed and new PRs are fetched, and the manifest records the ``lineage``.
    Either way the REST lists' ETags are kept in the snapshot's ``etags/`` folder for the next run.

    Args:
        config: the run's options.
        progress: receives progress reports (optional).
        governor: a governor shared with other runs (``extract --all``): its knowledge of each
            token's budgets and blocks carries over; it must have been made for the same token
            pool (default: a new one for this run's tokens).

    Returns:
        Counts and statistics for the end summary.

    Resources GitHub refuses for good (a contributor list too large, a diff not available, a
    PR deleted after the listing...) do not raise: they are recorded in the manifest's
    ``refusals`` and the result.

    Raises:
        ConfigError: bad options, no token for a server that requires one, an unfinished work
            folder without --resume/--fresh,
            or an output folder that is not empty and not a snapshot (never overwritten).
        LockError: another extract writes the same folder.
        AuthError: GitHub rejected the token.
        NotFoundError: a repository does not exist.
        ApiError: an error retrying cannot fix (a refusal no endpoint allows, a redirect to
            another host).
        RateLimitError: GitHub kept limiting until the retries ran out (retriable, exit 75).
        TransientError: GitHub kept failing until the retries ran out (retriable, exit 75).
    """
    # Imported on use: `prseed --help` and the other commands need none of requests or pyarrow.
    from prseed.extract.pipeline import extract
    from prseed.extract.workdir import WorkDir

    check_output(config)
    try:
        return extract(config, progress, governor)
    except AuthError as exc:
        if config.tokens:
            raise  # a token GitHub rejected: exit 3
        # No token at all is configuration (exit 2), not a rejected credential.
        raise ConfigError(
            f"{config.api_url} requires a token and none is set: set GITHUB_TOKEN (or a pool in "
            f"GITHUB_SEEDING_TOKENS), e.g. in .env"
        ) from exc
    finally:
        # A run that failed before fetching anything (401, 404, Ctrl-C at once) leaves no work
        # folder behind; one with data stays for --resume (a finished run removed its own).
        WorkDir(Path(config.out_dir)).discard_if_empty()


def check_run(config: ExtractConfig) -> None:
    """Refuse now what :func:`run` would refuse before its first request (``--dry-run`` uses it).

    The options (a missing token for GitHub, a bad ``--api``, an empty window...) and the output
    folder, so a plan is never shown for a run that cannot start.

    Raises:
        ConfigError: naming the option or folder and the fix.
    """
    from prseed.extract.pipeline import check_config  # pyarrow: only when a run is planned

    check_output(config)  # in the run's order: the folder, then the options
    check_config(config)
    check_pending(config)


def check_pending(config: ExtractConfig) -> None:
    """Refuse what the run refuses about an unfinished run of the same output (``--dry-run``).

    One that exists without ``--resume``/``--fresh``, or with other options; ``--full`` with a
    resumed refresh; a resumed refresh whose snapshot is gone or changed.

    Raises:
        ConfigError: naming the work folder and the fix.
        SnapshotError: the unfinished run's checkpoint is unreadable.
    """
    from prseed.extract.pipeline import data_params, resumed_source
    from prseed.extract.workdir import WorkDir

    work = WorkDir(Path(config.out_dir))
    checkpoint = work.pending(data_params(config), resume=config.resume, fresh=config.fresh)
    if checkpoint is not None:
        resumed_source(config, work, checkpoint)


def check_output(config: ExtractConfig) -> None:
    """Refuse an output folder the snapshot may not replace (see :func:`prseed.outputs.check_output_dir`).

    Raises:
        ConfigError: the folder holds files that are not a snapshot, or another project's snapshot.
    """
    default = Path(config.out_dir) == Path("snapshots") / str(config.project.get("key"))
    project = config.project if "repos" in config.project else None
    check_output_dir(Path(config.out_dir), "snapshot", project=project, default=default)
