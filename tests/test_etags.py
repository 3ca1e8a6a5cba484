"""The conditional-request store (extract/etags.py) and conditional GETs over real HTTP.

GitHub's ETags are per token (``Vary: Authorization``): the fake hashes the token into them, so
these tests prove a 304 needs the token that got the ETag, that a 304 costs no budget (GitHub's
headers and our governor alike), and that the side folder round-trips, is deterministic, holds no
token, and can never make a snapshot unusable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from prseed.extract.etags import FORMAT, Entry, EtagStore, token_fingerprint, url_key
from prseed.extract.governor import Governor
from prseed.extract.http import Client
from prseed.extract.paginator import first_url
from prseed.extract.ratelimit import RateHeaders

from prseed.contracts import ETAGS_DIR
from tests.fakegithub import FakeGitHub, Faults, generate_repo

ROOT = Path(__file__).resolve().parents[1]
PRSEED = str(Path(sys.executable).parent / "prseed")
TOKEN_A = "fake-etag-token-a"
TOKEN_B = "fake-etag-token-b"
REPO = "octo-org/etags"
LIMIT = 5000


@pytest.fixture
def repo():
    return generate_repo(REPO, n_prs=230, seed=14)


@pytest.fixture
def gh(repo):
    # core_limit: the fake enforces and announces a real budget, so "costs nothing" is visible.
    with FakeGitHub(repos=[repo], tokens={TOKEN_A, TOKEN_B}, faults=Faults(core_limit=LIMIT)) as fake:
        yield fake


def client(gh: FakeGitHub, tokens: tuple[str, ...] = (TOKEN_A, TOKEN_B)) -> Client:
    return Client(gh.url, tokens, Governor(len(tokens), points_per_minute=10**6), etag_cache_size=0)


def listing(c: Client) -> str:
    return first_url(c, f"/repos/{REPO}/pulls", {"state": "all", "sort": "created", "direction": "desc"})


def page_payload(data: list[dict]) -> list[list]:
    """What the refresh keeps of a PR listing page: number, created, updated, head sha, state."""
    return [[p["number"], p["created_at"], p["updated_at"], p["head"]["sha"], p["state"]] for p in data]


def fetch_listing(c: Client, store: EtagStore, token: int | None = None) -> tuple[list[list], list[int]]:
    """Page through the PR listing conditionally, as the refresh does; (rows, statuses)."""
    rows: list[list] = []
    statuses = []
    url: str | None = listing(c)
    while url is not None:
        r = c.get(url, kind="pulls-list", token=token, conditional=store.conditional(url, c.fingerprint))
        statuses.append(r.status)
        if r.not_modified:
            entry = store.lookup(url, r.fingerprint)
            assert entry is not None and entry.etag == r.etag
            rows += entry.payload["rows"]
            url = entry.payload["next"]
        else:
            assert r.etag and (token is None or r.fingerprint == c.fingerprint(token))
            store.record(url, r.fingerprint, r.etag, {"rows": page_payload(r.data), "next": r.next_url()})
            rows += page_payload(r.data)
            url = r.next_url()
    return rows, statuses


def used(gh: FakeGitHub, token: str) -> int:
    r = requests.get(gh.url + "/rate_limit", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return int(r.json()["resources"]["core"]["used"])


# -- the fake: ETags per token, Vary, 304s free and with rate-limit headers --------------------------


def test_fake_etags_are_per_token_and_a_304_is_free(gh):
    url = gh.url + f"/repos/{REPO}/pulls?state=all&per_page=100"
    a, b = requests.Session(), requests.Session()
    a.headers["Authorization"] = f"Bearer {TOKEN_A}"
    b.headers["Authorization"] = f"Bearer {TOKEN_B}"
    ra, rb = a.get(url, timeout=10), b.get(url, timeout=10)
    assert ra.status_code == rb.status_code == 200 and ra.content == rb.content
    assert ra.headers["ETag"] != rb.headers["ETag"]  # same body, other token: another ETag
    assert ra.headers["Vary"] == "Accept, Authorization, Cookie, X-GitHub-OTP"
    spent = int(ra.headers["x-ratelimit-used"])
    again = a.get(url, headers={"If-None-Match": ra.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == ra.headers["ETag"] and again.headers["Vary"]
    assert int(again.headers["x-ratelimit-used"]) == spent  # GitHub charges no budget for it
    assert int(again.headers["x-ratelimit-remaining"]) == LIMIT - spent
    other = b.get(url, headers={"If-None-Match": ra.headers["ETag"]}, timeout=10)
    assert other.status_code == 200 and other.headers["ETag"] == rb.headers["ETag"]
    label_a = gh.token_label(TOKEN_A)
    assert gh.stats.not_modified_by_token == {label_a: 1}


# -- the client: conditional GETs ------------------------------------------------------------------


def test_conditional_get_is_a_free_304_with_the_same_token(gh):
    c = client(gh)
    store = EtagStore()
    url = listing(c)
    first = c.get(url, kind="pulls-list", token=0, conditional=store.conditional(url, c.fingerprint))
    assert first.status == 200 and first.etag and first.fingerprint == token_fingerprint(TOKEN_A)
    assert first.data and first.next_url()
    store.record(url, first.fingerprint, first.etag, page_payload(first.data))
    before = c.governor.budget_left()
    spent = used(gh, TOKEN_A)

    again = c.get(url, kind="pulls-list", token=0, conditional=store.conditional(url, c.fingerprint))
    assert again.status == 304 and again.not_modified and again.data is None
    assert again.etag == first.etag and again.fingerprint == first.fingerprint
    assert store.lookup(url, again.fingerprint).payload == page_payload(first.data)
    assert c.counters.not_modified == 1
    assert used(gh, TOKEN_A) == spent  # the fake charged nothing ...
    assert c.governor.budget_left() == before  # ... and the governor reserved nothing for good


def test_the_etag_of_one_token_gets_a_200_with_another(gh):
    c = client(gh)
    store = EtagStore()
    url = listing(c)
    a = c.get(url, kind="pulls-list", token=0, conditional=store.conditional(url, c.fingerprint))
    store.record(url, a.fingerprint, a.etag, page_payload(a.data))
    # Token B asks with the ETag token A got: GitHub's ETags vary by Authorization.
    b = c.get(url, kind="pulls-list", token=1, conditional=lambda index: a.etag)
    assert b.status == 200 and b.data == a.data and b.etag != a.etag
    assert b.fingerprint == token_fingerprint(TOKEN_B) != a.fingerprint
    # Through the store, B has no entry: unconditional, 200.
    b2 = c.get(url, kind="pulls-list", token=1, conditional=store.conditional(url, c.fingerprint))
    assert b2.status == 200
    assert c.counters.not_modified == 0 and gh.stats.not_modified == 0


def test_a_pool_prefers_the_token_holding_the_etag(gh):
    c = client(gh)
    store = EtagStore()
    url = listing(c)
    b = c.get(url, kind="pulls-list", token=1)
    store.record(url, b.fingerprint, b.etag, page_payload(b.data))
    # Spend token B's budget below A's, so the governor alone would pick A.
    for _ in range(3):
        c.get(c.url(f"/repos/{REPO}"), kind="repo", token=1)
    c.get(c.url(f"/repos/{REPO}"), kind="repo", token=0)
    again = c.get(url, kind="pulls-list", conditional=store.conditional(url, c.fingerprint))
    assert again.status == 304 and again.fingerprint == token_fingerprint(TOKEN_B)


def test_a_full_listing_replays_from_the_store_with_304s_only(gh, repo, tmp_path):
    c = client(gh, (TOKEN_A,))
    store = EtagStore()
    rows, statuses = fetch_listing(c, store)
    assert statuses == [200, 200, 200] and len(rows) == len(repo.pulls) == 230
    written = store.write(tmp_path)
    assert [p.name for p in written] == [f"{token_fingerprint(TOKEN_A)}.json"]

    gh.reset_stats()
    again = EtagStore.load(tmp_path)
    assert again.warnings == [] and len(again) == 0  # loaded, not used yet
    c2 = client(gh, (TOKEN_A,))
    rows2, statuses2 = fetch_listing(c2, again)
    assert rows2 == rows and statuses2 == [304, 304, 304]
    assert c2.counters.not_modified == 3 and gh.stats.not_modified == 3
    # Another server port, the same paths: the store does not care about the origin.
    assert again.write(tmp_path / "next") and (tmp_path / "next" / ETAGS_DIR).is_dir()

    # The repository changes: the first page gets a new ETag, the rest still answer 304.
    with gh.mutate() as m:
        m.add_prs(1)
    gh.reset_stats()
    rows3, statuses3 = fetch_listing(client(gh, (TOKEN_A,)), again)
    assert statuses3[0] == 200 and len(rows3) == 231


# -- the files: roundtrip, determinism, no token on disk, only what a run used ----------------------


def test_store_files_roundtrip_are_deterministic_and_hold_no_token(gh, tmp_path):
    c = client(gh)
    store = EtagStore()
    fetch_listing(c, store, token=0)
    fetch_listing(c, store, token=1)
    files = store.write(tmp_path / "one")
    assert sorted(p.name for p in files) == sorted(f"{token_fingerprint(t)}.json" for t in (TOKEN_A, TOKEN_B))
    for path in (tmp_path / "one").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for token in (TOKEN_A, TOKEN_B):
                assert token.encode() not in data and token[4:20].encode() not in data
            head = json.loads(data)
            assert head["format"] == FORMAT and head["fingerprint"] == path.stem

    # The same entries recorded in another order give the same bytes.
    loaded = EtagStore.load(tmp_path / "one")
    shuffled = EtagStore()
    for fp in reversed(loaded.fingerprints()):
        by_key = loaded._entries[fp]
        for key in sorted(by_key, reverse=True):
            entry = loaded.lookup(key, fp)
            shuffled.record("http://elsewhere:1" + key, fp, entry.etag, entry.payload)
    shuffled.write(tmp_path / "two")
    loaded.write(tmp_path / "three")
    for name in (p.name for p in files):
        one = (tmp_path / "one" / ETAGS_DIR / name).read_bytes()
        assert (tmp_path / "two" / ETAGS_DIR / name).read_bytes() == one
        assert (tmp_path / "three" / ETAGS_DIR / name).read_bytes() == one


def test_only_entries_used_in_the_run_are_written(tmp_path):
    fa, fb = token_fingerprint("a"), token_fingerprint("b")
    old = EtagStore()
    old.record("/repos/o/r/pulls?page=1", fa, 'W/"1"', [1])
    old.record("/repos/o/r/pulls?page=2", fa, 'W/"2"', [2])
    old.record("/repos/o/r/pulls?page=1", fb, 'W/"3"', [3])
    old.write(tmp_path)
    run = EtagStore.load(tmp_path)
    assert run.lookup("/repos/o/r/pulls?page=1", fa).payload == [1]
    run.record("/repos/o/r/contributors?page=1", fa, 'W/"4"', {"logins": ["x"]})
    run.write(tmp_path)  # in place: token b's file is not used any more and goes
    assert sorted(p.name for p in (tmp_path / ETAGS_DIR).iterdir()) == [f"{fa}.json"]
    final = EtagStore.load(tmp_path)
    assert final.lookup("/repos/o/r/pulls?page=2", fa) is None
    assert final.lookup("/repos/o/r/contributors?page=1", fa).payload == {"logins": ["x"]}
    # A run that used nothing leaves no folder.
    EtagStore().write(tmp_path)
    assert not (tmp_path / ETAGS_DIR).exists()


def test_keys_fingerprints_and_bad_records():
    assert url_key("https://api.github.com/repos/o/r/pulls?state=all&page=2") == url_key(
        "http://127.0.0.1:8080/repos/o/r/pulls?page=2&state=all"
    )
    assert url_key("https://h/api/v3/repos/o/r") == "/api/v3/repos/o/r"
    fp = token_fingerprint(TOKEN_A)
    assert fp == token_fingerprint(TOKEN_A) != token_fingerprint(TOKEN_B)
    assert len(fp) == 16 and fp == hashlib.sha256(b"prseed-etag-v1\0" + TOKEN_A.encode()).hexdigest()[:16]
    store = EtagStore()
    with pytest.raises(ValueError, match="JSON value"):
        store.record("/x", fp, 'W/"1"', {"when": object()})
    with pytest.raises(ValueError, match="fingerprint"):
        store.record("/x", TOKEN_A, 'W/"1"', 1)
    with pytest.raises(ValueError, match="ETag"):
        store.record("/x", fp, "", 1)
    payload = {"rows": [[1, "a"]]}
    store.record("/x", fp, 'W/"1"', payload)
    payload["rows"].append([2, "b"])  # the caller's later changes do not reach the store
    got = store.lookup("/x", fp)
    got.payload["rows"].clear()
    assert store.lookup("/x", fp).payload == {"rows": [[1, "a"]]}


# -- corrupt or tampered files: a warning line each, never an error ---------------------------------


def _good_store(folder: Path) -> Path:
    store = EtagStore()
    store.record("/repos/o/r/pulls?page=1", token_fingerprint(TOKEN_A), 'W/"abc"', {"rows": [[1, "x"]]})
    return store.write(folder)[0]


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda p: p.write_bytes(p.read_bytes()[:-20]), "not valid JSON"),
        (lambda p: p.write_bytes(b"\xff\xfe garbage"), "not valid JSON"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'"x"', b'"y"')), "sha256"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'"version":2', b'"version":9')), "version 9"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'"snapshot":""', b'"snapshot":"ab"')), "sha256"),
        (lambda p: p.write_text('{"format": "something else"}'), "not a prseed-etags file"),
        (lambda p: p.write_text("[]"), "not a prseed-etags file"),
        (lambda p: p.rename(p.with_name("0123456789abcdef.json")), "does not match its name"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'"etag":"W/\\"abc\\""', b'"etag":7')), "no ETag"),
        (lambda p: (p.unlink(), p.mkdir()), "not readable"),
    ],
)
def test_a_damaged_file_is_one_warning_and_an_empty_store(tmp_path, damage, reason):
    path = _good_store(tmp_path)
    damage(path)
    store = EtagStore.load(tmp_path)
    assert len(store.warnings) == 1 and reason in store.warnings[0], store.warnings
    assert "\n" not in store.warnings[0] and "ignored" in store.warnings[0]
    assert (
        store.fingerprints() == []
        and store.lookup("/repos/o/r/pulls?page=1", token_fingerprint(TOKEN_A)) is None
    )


def test_a_file_written_with_other_tables_is_one_warning_and_ignored(tmp_path):
    """t14 #4: the store names the snapshot (tables' digest) it describes; another is ignored."""
    store = EtagStore()
    store.record("/repos/o/r/contributors", token_fingerprint(TOKEN_A), 'W/"c"', {"pages": 1})
    store.write(tmp_path, "a" * 64)
    assert EtagStore.load(tmp_path, "a" * 64).fingerprints() == [token_fingerprint(TOKEN_A)]
    assert EtagStore.load(tmp_path).fingerprints() == [token_fingerprint(TOKEN_A)]  # the work folder's
    other = EtagStore.load(tmp_path, "b" * 64)
    assert other.fingerprints() == [] and len(other.warnings) == 1
    assert "other tables than the snapshot's" in other.warnings[0] and "\n" not in other.warnings[0]


def test_missing_or_odd_folders_are_an_empty_store(tmp_path):
    assert EtagStore.load(tmp_path).warnings == []
    (tmp_path / ETAGS_DIR).write_text("not a folder")
    store = EtagStore.load(tmp_path)
    assert store.fingerprints() == [] and len(store.warnings) == 1
    (tmp_path / ETAGS_DIR).unlink()
    _good_store(tmp_path)
    (tmp_path / ETAGS_DIR / "notes.txt").write_text("a user's note")
    store = EtagStore.load(tmp_path)
    assert store.warnings == [] and store.fingerprints() == [token_fingerprint(TOKEN_A)]


# -- a snapshot with an etags/ folder: verify, info, diff, transform do not care --------------------


def _prseed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GITHUB_TOKEN")}
    env["PRSEED_PGDATA"] = str(cwd / ".pgdata")
    return subprocess.run([PRSEED, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_a_snapshot_with_an_etags_folder_verifies_and_transforms_the_same(tmp_path):
    demo = ROOT / "snapshots" / "demo"
    copy = tmp_path / "demo"
    shutil.copytree(demo, copy)
    _good_store(copy)
    (copy / ETAGS_DIR / "ffffffffffffffff.json").write_bytes(b'{"format": "prseed-etags", cut')
    (copy / ETAGS_DIR / "stray.bin").write_bytes(b"\x00\x01")
    (copy / ETAGS_DIR / "nested").mkdir()

    verify = _prseed("snapshot", "verify", str(copy), cwd=tmp_path)
    assert verify.returncode == 0 and "ok" in verify.stdout, verify.stderr
    info = _prseed("snapshot", "info", str(copy), cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert "etags        2 token(s)" in info.stdout and "not part of the data" in info.stdout
    as_json = json.loads(_prseed("snapshot", "info", "--json", str(copy), cwd=tmp_path).stdout)
    assert (
        as_json["etags"]["files"] == 2
        and as_json["bytes"]
        == json.loads(_prseed("snapshot", "info", "--json", str(demo), cwd=tmp_path).stdout)["bytes"]
    )
    diff = _prseed("snapshot", "diff", str(demo), str(copy), "--exit-code", cwd=tmp_path)
    assert diff.returncode == 0, (diff.stdout, diff.stderr)

    for name, snap in (("plain", demo), ("cached", copy)):
        proc = _prseed(
            "transform", "demo", "--snapshot", str(snap), "--out", str(tmp_path / name), cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
    plain = json.loads((tmp_path / "plain" / "manifest.json").read_text())
    cached = json.loads((tmp_path / "cached" / "manifest.json").read_text())
    assert plain["tables"] == cached["tables"]
    assert plain["snapshot"]["digest"] == cached["snapshot"]["digest"]


def test_governor_gives_back_the_unit_reserved_for_a_304():
    reset = 4_000_000_000.0
    g = Governor(1, points_per_minute=10**6, clock=lambda: 1_000_000_000.0)
    g.release(g.acquire(), RateHeaders(limit=100, remaining=90, reset=reset, resource="core"))
    assert g.budget_left() == 90
    a, b = g.acquire(), g.acquire()
    assert g.budget_left() == 88  # one unit reserved per request in flight
    # a is answered 304: GitHub still says 90, b is still in flight.
    g.release(a, RateHeaders(limit=100, remaining=90, reset=reset, resource="core"), free=True)
    assert g.budget_left() == 89
    g.release(b, RateHeaders(limit=100, remaining=89, reset=reset, resource="core"))
    assert g.budget_left() == 89


def test_merge_takes_the_other_stores_entries_as_used(tmp_path):
    fp = token_fingerprint(TOKEN_A)
    old = EtagStore()
    old.record("/a", fp, 'W/"old"', 1)
    old.record("/b", fp, 'W/"b"', 2)
    resumed = EtagStore()
    resumed.record("/a", fp, 'W/"new"', 3)
    old.merge(resumed)
    assert old.lookup("/a", fp) == Entry('W/"new"', 3)
    old.write(tmp_path)
    again = EtagStore.load(tmp_path)
    assert again.lookup("/a", fp) == Entry('W/"new"', 3) and again.lookup("/b", fp) == Entry('W/"b"', 2)
