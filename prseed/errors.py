"""The one exception hierarchy of prseed.

Every error a stage raises on purpose is a :class:`PrseedError`. Its class says whether trying
again can help (:class:`RetriableError`) or not (:class:`FatalError`), and which exit code the CLI
maps it to. Messages are one line that names the thing and the fix, and never contain a token.
"""

from __future__ import annotations


class PrseedError(Exception):
    """Base of every error prseed raises on purpose."""

    exit_code: int = 1
    retriable: bool = False


class FatalError(PrseedError):
    """Trying again with the same input cannot help."""


class RetriableError(PrseedError):
    """A transient condition: the same request may succeed later.

    Attributes:
        retry_after: seconds the server asked us to wait, when it said so.
    """

    retriable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigError(FatalError):
    """Bad options, unknown project, missing token or environment."""

    exit_code = 2


class AuthError(FatalError):
    """The API rejected the credentials (401) or they lack a needed permission."""

    exit_code = 3


class NotFoundError(FatalError):
    """A repository, user or resource does not exist (404)."""

    exit_code = 4


class SnapshotError(FatalError):
    """A snapshot or build on disk is missing, incomplete, corrupt, tampered or of another version."""

    exit_code = 5


class ContractError(SnapshotError):
    """Data does not match its JSON Schema contract in schemas/."""


class LockError(FatalError):
    """Another prseed process holds the lock on the same output."""

    exit_code = 6


class DatabaseError(FatalError):
    """The database is unreachable, refuses the login, or lacks tables or columns."""

    exit_code = 7


class ApiError(FatalError):
    """The API answered with an error that retrying will not fix (e.g. 422, or retries exhausted)."""

    exit_code = 8


class RateLimitError(RetriableError):
    """A primary or secondary rate limit was hit."""


class TransientError(RetriableError):
    """5xx, connection reset, timeout or truncated body."""
