"""The conditional-request store: ETags per token, kept beside a snapshot for the next refresh.

GitHub answers a GET that carries ``If-None-Match: <the ETag of the answer it would send>`` with
``304 Not Modified``, and a 304 costs no primary rate limit when the request is authorized
(GitHub REST docs, "Best practices for using the REST API": "Use conditional requests if
appropriate"). GitHub's ETags are **token-specific**: its answers carry ``Vary: Accept,
Authorization, Cookie, X-GitHub-OTP``, and an ETag obtained with token A sent with token B gets a
200 (GitHub support in eclipse-csi/otterdog#201; github/docs#34689). So the store keeps entries
per token, under a one-way :func:`token_fingerprint` of it; the token itself never reaches disk.

A 304 has no body, so each entry also keeps a *payload*: the compact record the caller wants back
on a 304 (e.g. the PR listing page's ``[[number, created_at, updated_at, head_sha, state], ...]``
and its next-page URL), never whole bodies. Layout, beside the snapshot's tables::

    <snapshot>/etags/<fingerprint>.json

one file per token fingerprint, written deterministically (same entries, same bytes) with one
entry per line, so a refreshed snapshot's diff shows the pages that changed. The folder is a
cache: it is not in the manifest, nothing validates it as a table, and a missing, corrupt or
edited file is one warning line and an empty (or smaller) store, never an error. Each file holds
a sha256 of its entries, so a file edited by hand or cut short is noticed and ignored rather
than replaying stale payloads.

Each file also names the snapshot it was written with: the content digest of its tables
(:func:`prseed.contracts.dataset_digest`, which leaves out timestamps and statistics). A payload
describes GitHub's answer *as that snapshot holds it* (a 304 on the contributors list keeps the
old contributors rows), so a store beside other tables (Parquet and manifest restored from git,
an ``etags/`` folder copied from another state of the snapshot) would make a refresh keep stale
rows: :meth:`EtagStore.load` given the snapshot's digest ignores such a file with one warning.

URLs are stored by :func:`url_key`: path and sorted query, without scheme and host. The origin is
left out so the loopback fake's port, or a GHES host reached under another name, does not matter;
the path keeps a GHES ``/api/v3`` prefix, and a refresh against another API URL is a full
extraction anyway.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from prseed.contracts import ETAGS_DIR, write_bytes_atomic

FORMAT = "prseed-etags"
#: 2: a file names the snapshot (tables' digest) it was written with; version 1 files are ignored.
VERSION = 2
#: A fingerprint: 16 lower-case hex digits (64 bits of sha256: unique within any token pool).
FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_SALT = b"prseed-etag-v1\0"

#: A JSON value (what ``json.loads`` returns): the payload of an entry.
Json = Any


def token_fingerprint(token: str) -> str:
    r"""A stable, one-way id of a token, under which its ETags are stored.

    The first 16 hex digits of ``sha256(b"prseed-etag-v1\0" + token)``: the same token always
    gives the same id, no id gives back its token (a GitHub token carries far more than 64 bits
    of randomness), and the salt keeps the id from matching any other use of a plain sha256 of
    the token. An empty token (no ``Authorization``, the loopback fake) has an id too.

    Args:
        token: the token as sent in ``Authorization: Bearer <token>``.

    Returns:
        16 lower-case hex digits.
    """
    return hashlib.sha256(_SALT + token.encode("utf-8")).hexdigest()[:16]


def url_key(url: str) -> str:
    """The key of a URL in the store: its path and its query sorted by name (no scheme, no host).

    ``https://api.github.com/repos/o/r/pulls?state=all&page=2`` and
    ``http://127.0.0.1:8080/repos/o/r/pulls?page=2&state=all`` have the same key,
    ``/repos/o/r/pulls?page=2&state=all``: GitHub does not care about the order of query
    parameters, and Link headers do not keep ours.
    """
    parts = urlsplit(url)
    pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + (f"?{urlencode(pairs)}" if pairs else "")


@dataclass(frozen=True)
class Entry:
    """What the store holds for one URL and one token.

    Attributes:
        etag: the ``ETag`` header of the answer, sent back as ``If-None-Match``.
        payload: the caller's compact record of that answer (a JSON value); a fresh copy on
            every lookup, so the caller may change it.
    """

    etag: str
    payload: Json


def _canonical(value: Json) -> str:
    """The one serialisation of a JSON value: sorted keys, no spaces, ASCII (lone surrogates too)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


class EtagStore:
    """ETags and payloads by (URL, token fingerprint); thread-safe.

    Only the entries a run *used* (looked up with a hit, or recorded) are written back by
    :meth:`write`, so URLs the run no longer asks for (a shorter listing, a token dropped from
    the pool) do not pile up from refresh to refresh.

    Attributes:
        warnings: one line per file :meth:`load` ignored (corrupt, edited, of another version).
    """

    def __init__(self) -> None:
        """Create an empty store."""
        self._entries: dict[str, dict[str, tuple[str, str]]] = {}  # fp -> key -> (etag, payload JSON)
        self._used: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self.warnings: list[str] = []

    # -- reading and recording -------------------------------------------------------------

    def lookup(self, url: str, fingerprint: str) -> Entry | None:
        """The entry of a URL for a token, or None; a hit counts as used (kept by :meth:`write`).

        Args:
            url: the URL as requested (absolute, or a path), see :func:`url_key`.
            fingerprint: the token's :func:`token_fingerprint`.
        """
        key = url_key(url)
        with self._lock:
            found = self._entries.get(fingerprint, {}).get(key)
            if found is None:
                return None
            self._used.add((fingerprint, key))
        return Entry(found[0], json.loads(found[1]))

    def record(self, url: str, fingerprint: str, etag: str, payload: Json) -> None:
        """Keep (or replace) the entry of a URL for a token; it counts as used.

        Args:
            url: the URL as requested, see :func:`url_key`.
            fingerprint: the :func:`token_fingerprint` of the token that got the answer
                (``Response.fingerprint``).
            etag: the answer's ``ETag`` header (``Response.etag``).
            payload: the compact record to return on a 304: any JSON value.

        Raises:
            ValueError: an empty ETag, a malformed fingerprint, or a payload that is not JSON
                (a bug of the caller, so it is not swallowed).
        """
        if not etag:
            raise ValueError("an ETag store entry needs an ETag")
        if not FINGERPRINT.match(fingerprint):
            raise ValueError(f"{fingerprint!r} is not a token fingerprint (see token_fingerprint)")
        try:
            text = _canonical(payload)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"an ETag payload must be a JSON value: {exc}") from exc
        key = url_key(url)
        with self._lock:
            self._entries.setdefault(fingerprint, {})[key] = (etag, text)
            self._used.add((fingerprint, key))

    def forget(self, url: str, fingerprint: str) -> None:
        """Drop the entry of a URL for a token (e.g. its payload turned out unusable)."""
        key = url_key(url)
        with self._lock:
            self._entries.get(fingerprint, {}).pop(key, None)
            self._used.discard((fingerprint, key))

    def conditional(self, url: str, fingerprint_of: Callable[[int], str]) -> Callable[[int], str | None]:
        """The ``conditional`` argument of :meth:`prseed.extract.http.Client.get` for a URL.

        Args:
            url: the URL about to be requested.
            fingerprint_of: the client's token index -> fingerprint mapping
                (``client.fingerprint``).

        Returns:
            A function giving, for a token index, the ETag stored for that token, or None.
        """

        def etag(index: int) -> str | None:
            entry = self.lookup(url, fingerprint_of(index))
            return entry.etag if entry is not None else None

        return etag

    def merge(self, other: EtagStore) -> None:
        """Take every entry of ``other`` as used (its entries win), e.g. a resumed run's own store."""
        with other._lock:
            entries = {fp: dict(by_key) for fp, by_key in other._entries.items()}
            warnings = list(other.warnings)
        with self._lock:
            for fp, by_key in entries.items():
                self._entries.setdefault(fp, {}).update(by_key)
                self._used.update((fp, key) for key in by_key)
            self.warnings.extend(warnings)

    def __len__(self) -> int:
        """Entries :meth:`write` would write (used or recorded in this run)."""
        with self._lock:
            return len(self._used)

    def fingerprints(self) -> list[str]:
        """The fingerprints with entries, sorted."""
        with self._lock:
            return sorted(fp for fp, by_key in self._entries.items() if by_key)

    # -- files -------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path, snapshot: str | None = None) -> EtagStore:
        """Read the store of a snapshot: ``<folder>/etags/*.json``.

        Never raises for what is on disk: it is a cache. A missing folder is an empty store; a
        file that cannot be read, is not this format and version, is named unlike its
        fingerprint, fails its sha256 or was written with another snapshot than ``snapshot``
        is left out with one line in :attr:`warnings`. Loaded entries count as unused until
        looked up.

        Args:
            folder: the snapshot folder (the one holding ``manifest.json``).
            snapshot: the digest the files must name (``dataset_digest`` of the snapshot's
                manifest); None accepts any (a run's own work folder).

        Returns:
            The store.
        """
        store = cls()
        where = folder / ETAGS_DIR
        if not where.exists():
            return store
        try:
            paths = sorted(p for p in where.iterdir() if p.name.endswith(".json"))
        except OSError as exc:
            store.warnings.append(f"{where}: not readable ({exc.strerror or exc}); refreshing without ETags")
            return store
        for path in paths:
            try:
                fingerprint, entries = _read_file(path, snapshot)
            except _Unusable as exc:
                store.warnings.append(f"{path}: {exc}; ignored (a cache: its answers are fetched again)")
                continue
            store._entries[fingerprint] = entries
        return store

    def write(self, folder: Path, snapshot: str = "") -> list[Path]:
        """Write the used entries into ``<folder>/etags/``: one file per fingerprint, atomically.

        Same entries give the same bytes. Files of fingerprints without used entries (and any
        other ``*.json`` of this format there) are removed, so the folder describes this run only.

        Args:
            folder: the snapshot folder (a staging folder before it is swapped in).
            snapshot: the digest of the snapshot written beside (``dataset_digest`` of its
                manifest), which :meth:`load` checks; "" for a run's work folder.

        Returns:
            The files written, sorted.
        """
        with self._lock:
            chosen: dict[str, dict[str, tuple[str, str]]] = {}
            for fp, key in self._used:
                found = self._entries.get(fp, {}).get(key)
                if found is not None:
                    chosen.setdefault(fp, {})[key] = found
        where = folder / ETAGS_DIR
        written = []
        for fp in sorted(chosen):
            path = where / f"{fp}.json"
            write_bytes_atomic(path, dumps_file(fp, chosen[fp], snapshot))
            written.append(path)
        if where.is_dir():
            for path in where.iterdir():
                stem = path.name.removesuffix(".json")
                if path.name.endswith(".json") and FINGERPRINT.match(stem) and stem not in chosen:
                    path.unlink(missing_ok=True)
            if not written and not any(where.iterdir()):
                where.rmdir()
        return written


class _Unusable(Exception):
    """A store file that is left out (the message says why)."""


def _entries_digest(lines: Iterable[str], snapshot: str) -> str:
    text = f"snapshot:{snapshot}\n" + "".join(f"{line}\n" for line in lines)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _entry_line(key: str, etag: str, payload_json: str) -> str:
    # payload_json is already canonical: splice it in rather than parse and dump it again.
    return f'{_canonical(key)}:{{"etag":{_canonical(etag)},"payload":{payload_json}}}'


def dumps_file(fingerprint: str, entries: dict[str, tuple[str, str]], snapshot: str = "") -> bytes:
    """The bytes of one store file: a JSON object, one entry per line, keys sorted.

    Args:
        fingerprint: the token fingerprint the entries belong to.
        entries: ``{url key: (etag, canonical payload JSON)}``.
        snapshot: the digest of the snapshot the entries were written with ("" for none).
    """
    lines = [_entry_line(key, *entries[key]) for key in sorted(entries)]
    head = (
        f'{{"format":"{FORMAT}","version":{VERSION},"fingerprint":"{fingerprint}",'
        f'"snapshot":{_canonical(snapshot)},"sha256":"{_entries_digest(lines, snapshot)}","entries":{{'
    )
    return (head + "\n" + ",\n".join(lines) + "\n}}\n").encode("ascii")


def _read_file(path: Path, snapshot: str | None = None) -> tuple[str, dict[str, tuple[str, str]]]:
    """Read and check one store file; raises :class:`_Unusable` saying what is wrong."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise _Unusable(f"not readable ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Unusable(f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _Unusable(f"not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise _Unusable(f"version {data.get('version')!r}, this prseed reads {VERSION}")
    fingerprint = data.get("fingerprint")
    if (
        not isinstance(fingerprint, str)
        or f"{fingerprint}.json" != path.name
        or not FINGERPRINT.match(fingerprint)
    ):
        raise _Unusable("its fingerprint does not match its name")
    raw = data.get("entries")
    if not isinstance(raw, dict):
        raise _Unusable("no entries object")
    entries: dict[str, tuple[str, str]] = {}
    for key, entry in raw.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("etag"), str) and entry["etag"]):
            raise _Unusable(f"entry {key!r} has no ETag")
        if "payload" not in entry or set(entry) != {"etag", "payload"}:
            raise _Unusable(f"entry {key!r} is not {{etag, payload}}")
        try:
            payload = _canonical(entry["payload"])
        except ValueError as exc:  # NaN or infinity: json.loads reads them, we never write them
            raise _Unusable(f"entry {key!r} has a payload that is not JSON") from exc
        entries[key] = (entry["etag"], payload)
    written_with = data.get("snapshot")
    if not isinstance(written_with, str):
        raise _Unusable("it names no snapshot")
    lines = [_entry_line(key, *entries[key]) for key in sorted(entries)]
    if data.get("sha256") != _entries_digest(lines, written_with):
        raise _Unusable("its entries fail their sha256 (edited by hand or cut short)")
    if snapshot is not None and written_with != snapshot:
        raise _Unusable(
            "it was written with other tables than the snapshot's (restored or copied from another "
            "state of it)"
        )
    return fingerprint, entries
