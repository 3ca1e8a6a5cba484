"""The extract stage: GitHub pull requests -> a Parquet snapshot under ``snapshots/<project>/``.

One entry point, :func:`run`, taking a frozen :class:`ExtractConfig`. The stage never reads the
environment or prints: the CLI builds the config and renders :class:`Progress` reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prseed.extract.config import DEFAULT_API_URL, ExtractConfig, ExtractResult, Progress, ProgressSink
from prseed.extract.plan import plan

from prseed.outputs import check_output_dir

if TYPE_CHECKING:
    from prseed.extract.governor import Governor

__all__ = ["DEFAULT_API_URL", "ExtractConfig", "ExtractResult", "Progress", "ProgressSink", "plan", "run"]


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
        ConfigError: bad options, missing token, unfinished work folder without --resume/--fresh,
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

    check_output_dir(config.out_dir, "snapshot")
    return extract(config, progress, governor)
