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

    Exit code 75 is ``EX_TEMPFAIL`` of BSD's sysexits.h ("a temporary failure; the user is
    invited to retry"), so a scheduler can tell "come back later" from a fatal error.

    Attributes:
        retry_after: seconds after which trying again makes sense, when known.
    """

    exit_code = 75
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
    """A repository, user or resource does not exist (404).

    Attributes:
        status: always 404.
        reason: GitHub's own message.
    """

    exit_code = 4
    status = 404

    def __init__(self, message: str, reason: str = "Not Found") -> None:
        super().__init__(message)
        self.reason = reason


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
    """The API answered with an error that retrying will not fix (e.g. 403 without permission).

    Attributes:
        status: the HTTP status GitHub answered (0 when none applies).
        reason: GitHub's own message, without our advice around it.
    """

    exit_code = 8

    def __init__(self, message: str, status: int = 0, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class RefusedError(ApiError):
    """GitHub refuses one resource for good, whatever the retries.

    E.g. 403 "contributor list is too large", 422 diff not available, 409 empty repository.

    The extractor records such a resource as unavailable and carries on; the error escapes
    only where no endpoint description allows it.
    """


class RateLimitError(RetriableError):
    """GitHub kept answering with a primary or secondary rate limit until the retries ran out."""


class TransientError(RetriableError):
    """5xx, connection reset, timeout or truncated body, until the retries ran out.

    Attributes:
        status: the last HTTP status (0 for a network error or a truncated body).
    """

    def __init__(self, message: str, retry_after: float | None = None, status: int = 0) -> None:
        super().__init__(message, retry_after)
        self.status = status
