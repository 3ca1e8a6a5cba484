"""Property tests: the SQL text rules (DuckDB) agree with the Python reference in tests/rules.py."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prseed.transform.pipeline import sql_statements

from prseed.resources import data_file
from tests import rules

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("SET VARIABLE seed = 42")
    for name in ("01_macros.sql", "02_ai_signatures.sql"):
        for statement in sql_statements(data_file("prseed.transform", "sql", name)):
            connection.execute(statement)
    yield connection
    connection.close()


def sql_map(
    con: duckdb.DuckDBPyConnection, expr: str, values: Sequence[tuple[str | None, ...]]
) -> list[object]:
    """Evaluate ``expr`` (over columns a, b, c) for each input row, in order."""
    width = len(values[0])
    cols = ", ".join(f"x[{i + 1}]::VARCHAR AS {'abc'[i]}" for i in range(width))
    query = f"SELECT {expr} FROM (SELECT {cols}, i FROM (SELECT unnest($v) AS x, generate_subscripts($v, 1) AS i)) ORDER BY i"
    return [row[0] for row in con.execute(query, {"v": [list(v) for v in values]}).fetchall()]


# Alphabet: ASCII plus a few non-ASCII letters and an emoji. Unicode-wide case folding and word
# boundaries differ between RE2 and Python, and are out of scope of the rules.
TEXT = st.characters(min_codepoint=0, max_codepoint=127, blacklist_characters="\x00") | st.sampled_from(
    ["é", "ü", "日", "🤖", "’"]
)

# --- categorize_file ---------------------------------------------------------------------------

DIRS = [d.strip("/") for d in rules.JS_FRONTEND_DIRS + rules.JS_BACKEND_DIRS + rules.JS_BACKEND_EXCEPTIONS]
DIRS += ["tests", "test", "__tests__", "src", "docs", ".github", "pkg", "Components", "API"]
EXTS = [
    *rules.JS_EXTENSIONS,
    *rules.FRONTEND_EXTENSIONS,
    *rules.BACKEND_EXTENSIONS,
    *rules.DOCS_EXTENSIONS,
    *rules.CONFIG_EXTENSIONS,
    *("", "bin", "png", "JS", "Py"),
]
STEMS = [
    "index",
    "test_api",
    "api_test",
    "app.spec",
    "foo_spec",
    "tests",
    "Dockerfile",
    "Makefile",
    ".env",
    ".eslintrc",
    "",
    "README",
    "test",
    "dockerfile.dev",
    "codeowners",
]


@st.composite
def paths(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(DIRS) | st.text(TEXT, max_size=6), max_size=4))
    stem = draw(st.sampled_from(STEMS) | st.text(TEXT, max_size=8))
    ext = draw(st.sampled_from(EXTS))
    name = stem + ("." + ext if ext else "")
    return "/".join([*parts, name])


@SETTINGS
@given(st.lists(paths() | st.text(TEXT, max_size=30), min_size=1, max_size=30))
def test_categorize_file_sql_matches_reference(con: duckdb.DuckDBPyConnection, batch: list[str]) -> None:
    got = sql_map(con, "categorize_file(a)", [(p,) for p in batch])
    assert got == [rules.categorize_file(p) for p in batch]


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("tests/test_api.py", "test"),
        ("src/components/Button.test.tsx", "test"),
        ("pkg/server/handler_test.go", "test"),
        ("pages/api/users.ts", "backend"),
        ("src/components/Button.ts", "frontend"),
        ("src/services/mail.js", "backend"),
        ("src/util.js", "javascript"),
        ("src/App.tsx", "frontend"),
        ("styles/main.scss", "frontend"),
        ("app/models/user.rb", "backend"),
        ("docs/guide.md", "docs"),
        ("package.json", "config"),
        ("Dockerfile", "config"),
        (".gitignore", "config"),
        ("src/prefix_fixture.py", "backend"),
        ("image.png", "other"),
    ],
)
def test_categorize_file_examples(con: duckdb.DuckDBPyConnection, path: str, category: str) -> None:
    assert rules.categorize_file(path) == category
    assert sql_map(con, "categorize_file(a)", [(path,)]) == [category]


# --- Known times -------------------------------------------------------------------------------

EXTRACTED = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
EDGES = [
    datetime(1, 1, 1, tzinfo=UTC),  # Go's zero time
    rules.UNIX_EPOCH - US,
    rules.UNIX_EPOCH,
    rules.UNIX_EPOCH + US,
    datetime(1999, 3, 1, tzinfo=UTC),  # imported git history
    rules.GITHUB_EPOCH - US,
    rules.GITHUB_EPOCH,
    EXTRACTED,
    rules.latest_known_at(EXTRACTED),
    rules.latest_known_at(EXTRACTED) + US,
    datetime(2262, 4, 11, tzinfo=UTC),
    datetime(3000, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
]
TIMES = st.sampled_from(EDGES) | st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
)


@SETTINGS
@given(st.lists(TIMES | st.none(), min_size=1, max_size=30), st.sampled_from([EXTRACTED, None]))
def test_known_times_sql_match_reference(
    con: duckdb.DuckDBPyConnection, batch: list[datetime | None], extracted: datetime | None
) -> None:
    latest = rules.latest_known_at(extracted)
    con.execute("SET VARIABLE extracted_at = $e::TIMESTAMPTZ", {"e": extracted})
    query = "SELECT known_at(t), known_git_at(t) FROM unnest($v::TIMESTAMPTZ[]) WITH ORDINALITY u(t, i) ORDER BY i"
    got = con.execute(query, {"v": batch}).fetchall()
    want = [(rules.known_github_at(t, latest), rules.known_git_at(t, latest)) for t in batch]
    assert got == want


@pytest.mark.parametrize(
    ("value", "github", "git"),
    [
        ("0001-01-01T00:00:00Z", False, False),
        ("1970-01-01T00:00:00Z", False, False),  # the epoch: a zero Unix time
        ("1999-03-01T12:00:00Z", False, True),  # imported history: a real commit date
        ("2007-12-31T23:59:59Z", False, True),
        ("2008-01-01T00:00:00Z", True, True),
        ("2025-07-01T12:00:00Z", True, True),  # a day of clock skew after the extraction
        ("2025-07-01T12:00:01Z", False, False),
        ("2262-04-11T00:00:00Z", False, False),
        ("3000-01-01T00:00:00Z", False, False),
    ],
)
def test_known_time_examples(con: duckdb.DuckDBPyConnection, value: str, github: bool, git: bool) -> None:
    con.execute("SET VARIABLE extracted_at = $e::TIMESTAMPTZ", {"e": EXTRACTED})
    got = con.execute(
        "SELECT known_at($t::TIMESTAMPTZ) IS NOT NULL, known_git_at($t::TIMESTAMPTZ) IS NOT NULL",
        {"t": value},
    ).fetchone()
    assert got == (github, git)
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    latest = rules.latest_known_at(EXTRACTED)
    assert (
        rules.known_github_at(stamp, latest) is not None,
        rules.known_git_at(stamp, latest) is not None,
    ) == (
        github,
        git,
    )


# --- Jira keys -------------------------------------------------------------------------------

KEYISH = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,3}-[0-9]{1,4}", fullmatch=True)
# The project's own key (with its repos: NUXT, DLT and DENO are also their product's name) next to
# the ids that only look like keys.
PROJECTS = [
    ("FTL", ("fortline/app",)),
    ("NUXT", ("nuxt/nuxt",)),
    ("DLT", ("dlt-hub/dlt", "dlt-hub/verified-sources")),
    ("DENO", ("denoland/deno",)),
    ("UTF", ("utf/codec",)),
    ("AB1", ("ab/one",)),
    ("A", ("a/a",)),
    ("PR", ()),
    ("", ()),
]
# Versions, standards, product names with digits, the own key in every case and position.
NEAR_MISSES = [
    *(f"{k}-{n}" for k in sorted(rules.JIRA_NOT_KEYS) for n in ("1", "4", "256")),
    *("GPT-4o", "GPT-4.1", "GPT-4o-mini", "MPEG-4", "FIPS-140-3", "USB-3.2", "K8S-1.30", "SOC-2"),
    *("ISO-8601", "CVE-2021-23337", "TLS-1.3", "X86-64", "H-264", "Python-3.12", "Node-20"),
    *("nuxt-3", "Nuxt-3.12", "NUXT-3", "nuxt-4-compat", "feat/nuxt-4", "dlt-1.46.3", "DLT-1", "deno-2"),
    *("ftl-42-session-timeout", "feature/ftl-42", "FTL-7", "Ftl-9", "xftl-3", "ftl_ftl-4", "ftl-4a"),
    *("ab1-23", "AB1-2.5", "ABC-12", "ABC-12abc", "ABC-12.", "ABC-1-2", "ABCDEFGHIJK-1", "K" * 48 + "-1"),
    *("[", "]", "(", ")", "[ABC-3]", "(ABC-3)", "feat: ", "fix(ui): ", "fix(ABC-4): ", "revert!: "),
    *("feature/", "-", "A-", " ", "/", ".", "_", "\t"),
]
KEY_TEXT = st.lists(KEYISH | st.sampled_from(NEAR_MISSES) | st.text(TEXT, max_size=6), max_size=6).map(
    "".join
)


def sql_jira_keys(
    con: duckdb.DuckDBPyConnection,
    pairs: Sequence[tuple[str | None, str | None]],
    own: str,
    repos: Sequence[str],
) -> list[object]:
    """jira_key_in() in DuckDB for (title, branch) pairs of one project."""
    is_name = con.execute(
        "SELECT jira_key_is_name($o, $r::VARCHAR[])", {"o": own, "r": list(repos)}
    ).fetchone()
    assert is_name is not None and is_name[0] == rules.jira_key_is_name(own, repos)
    expr = f"jira_key_in(a, b, c, {'true' if is_name[0] else 'false'})"
    return sql_map(con, expr, [(t, b, own) for t, b in pairs])


@SETTINGS
@given(
    st.lists(st.tuples(KEY_TEXT | st.none(), KEY_TEXT | st.none()), min_size=1, max_size=30),
    st.sampled_from(PROJECTS),
)
def test_jira_key_sql_matches_reference(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[str | None, str | None]],
    project: tuple[str, tuple[str, ...]],
) -> None:
    own, repos = project
    assert sql_jira_keys(con, batch, own, repos) == [rules.parse_jira_key(t, b, own, repos) for t, b in batch]


VERSION_LIKE = st.tuples(
    st.sampled_from(
        ["GPT", "SOC", "MPEG", "FIPS", "USB", "K8S", "UTF", "ISO", "CVE", "TLS", "Nuxt", "nuxt", "dlt"]
    ),
    st.integers(0, 9999),
    st.sampled_from(["", "o", ".1", ".12.3", "-2021", "b1", " support", ": spec", "x"]),
)


@SETTINGS
@given(VERSION_LIKE, st.sampled_from(["", "Use ", "feat: ", "[", "docs: upgrade to ", "Bump "]))
def test_standards_and_versions_are_never_foreign_keys(
    con: duckdb.DuckDBPyConnection, near: tuple[str, int, str], lead: str
) -> None:
    name, number, tail = near
    title = f"{lead}{name}-{number}{tail}"
    for own, repos in [("FTL", ("fortline/app",)), ("NUXT", ("nuxt/nuxt",)), ("DLT", ("dlt-hub/dlt",))]:
        want = rules.parse_jira_key(title, title.replace(" ", "-"), own, repos)
        assert want == ""
        assert sql_jira_keys(con, [(title, title.replace(" ", "-"))], own, repos) == [""]


@pytest.mark.parametrize(
    ("title", "branch", "own", "repos", "key"),
    [
        ("PROJ-12: fix", "ABC-1-x", "", (), "PROJ-12"),
        ("fix it", "feature/ABC-77-thing", "", (), "ABC-77"),
        ("lowercase abc-12", None, "", (), ""),
        ("A-1 too short", None, "", (), ""),
        ("K" * 60 + "-1", "ABC-2", "", (), "ABC-2"),  # a 62-character key cannot be stored: skipped
        # issue 11: ids that only look like keys
        ("Handle UTF-8 file names", "fix/utf8-names", "FTL", (), ""),
        ("Parse ISO-8601 durations", None, "FTL", (), ""),
        ("Bump lodash for CVE-2021-23337", "dependabot/npm_and_yarn/lodash-4.17.21", "FTL", (), ""),
        ("Require TLS-1.3", None, "", (), ""),
        # another project's key counts only in a ticket position (was ABC-3 mid-title)
        ("Fix UTF-8 in ABC-3 export", None, "", (), ""),
        ("Fix UTF-8 in export [ABC-3]", None, "", (), "ABC-3"),
        ("fix(ABC-3): export", None, "", (), "ABC-3"),
        ("feat: ABC-9 search", None, "", (), "ABC-9"),
        # issue 11, round 2: products and standards with digits, no word boundary after the digits
        ("Use GPT-4o for summaries", None, "DLT", ("dlt-hub/dlt",), ""),
        ("GPT-4 summaries", "GPT-4-summaries", "DLT", ("dlt-hub/dlt",), ""),
        ("SOC-2 report", None, "DLT", ("dlt-hub/dlt",), ""),
        ("[MPEG-4] decoder", None, "DLT", ("dlt-hub/dlt",), ""),
        ("FIPS-140 mode", "fips-140", "DLT", ("dlt-hub/dlt",), ""),
        ("USB-3: hotplug", "USB-3/hotplug", "DLT", ("dlt-hub/dlt",), ""),
        ("K8S-1 manifests", "K8S-1-manifests", "DLT", ("dlt-hub/dlt",), ""),
        ("Upgrade to dlt-1.46.3", None, "DLT", ("dlt-hub/dlt",), ""),
        ("Upgrade to DLT-1.46.3", None, "DLT", ("dlt-hub/dlt",), ""),
        ("docs: nuxt-3 migration guide", None, "NUXT", ("nuxt/nuxt",), ""),
        ("fix: layers in Nuxt-3.12", None, "NUXT", ("nuxt/nuxt",), ""),
        ("Compat", "feat/nuxt-4-compat", "NUXT", ("nuxt/nuxt",), ""),
        ("deno-2 support", "deno-2-support", "DENO", ("denoland/deno",), ""),
        ("NUXT-12 layers", None, "NUXT", ("nuxt/nuxt",), "NUXT-12"),  # uppercase: a ticket
        ("Layers", "feature/NUXT-12-layers", "NUXT", ("nuxt/nuxt",), "NUXT-12"),
        # the project's own key wins over other keys and over the title
        ("Session timeout", "ftl-42-session-timeout", "FTL", ("fortline/app",), "FTL-42"),
        ("Session timeout", "feature/ftl-42-session-timeout", "FTL", ("fortline/app",), "FTL-42"),
        ("Session timeout", "fix/xftl-42-session", "FTL", ("fortline/app",), ""),
        ("ABC-12 shared lib", "ftl-5-lib", "FTL", ("fortline/app",), "FTL-5"),
        ("Fix UTF-8 in FTL-7 export (see ABC-3)", None, "FTL", (), "FTL-7"),
        ("Fix FTL-7.2 export", None, "FTL", (), ""),  # a version of the own key
        ("See FTL-7.", None, "FTL", (), "FTL-7"),  # a full stop is not a version
        ("ftl-7 lowercase in a title", None, "FTL", (), ""),
        ("ABC-12 shared lib", "main-fix", "FTL", (), "ABC-12"),
        ("Use the UTF-8 codec", None, "UTF", (), "UTF-8"),  # a project whose key is UTF
        ("xftl-3 is not a key", None, "FTL", (), ""),
    ],
)
def test_jira_key_examples(
    con: duckdb.DuckDBPyConnection, title: str, branch: str | None, own: str, repos: tuple[str, ...], key: str
) -> None:
    assert rules.parse_jira_key(title, branch, own, repos) == key
    assert sql_jira_keys(con, [(title, branch)], own, repos) == [key]


# --- AI detection ------------------------------------------------------------------------------

PHRASES = [
    "Generated with [Claude Code](https://claude.com/claude-code)",
    "Co-Authored-By: Claude",
    "used GitHub Copilot",
    "copilot",
    "Cursor AI",
    "cursor position",
    "with cursor",
    "With Cursor",
    "by Cursor",
    "using cursor keys",
    "cursor.com",
    "Devin AI",
    "devin",
    "Windsurf",
    "aider",
    "Gemini",
    "ChatGPT",
    "GPT-4o",
    "codex",
    "AI-generated",
    "written by AI",
    "No AI tools were used",
    "I did not use Copilot",
    "without Claude",
    "none",
    "didn't use cursor ai",
    "didn’t use Gemini",
    "not",
    "no",
    "fixture",
    "prefix",
    "🤖",
    # issue 11: people named like a tool, trailers with odd spacing, addresses
    "Claude Dubois",
    "Claude Code",
    "Claude Opus 4.1",
    "Use Claude To",
    "Claude ",
    "Co-authored-by: Claude Dubois <claude.dubois@fortline.example>",
    "Co-authored-by : Claude <noreply@anthropic.com>",
    "Co-Authored-By: GitHub Copilot <noreply@github.com>",
    "co-authored-by:devin",
    "Co-authored-by: Devin Walsh <devin@fortline.example>",
    "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
    "Co-authored-by:",
    "claude.dubois@fortline.example",
    "noreply@anthropic.com",
    "@",
]
SEPARATORS = [". ", "! ", "? ", "\n", " ", ", ", ".", "\r\n"]
AI_TEXT = st.lists(
    st.sampled_from(PHRASES) | st.sampled_from(SEPARATORS) | st.text(TEXT, max_size=8), max_size=10
).map("".join)


# Each query re-plans the large detection macro, so fewer, bigger batches.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(AI_TEXT, AI_TEXT | st.none()), min_size=5, max_size=40))
def test_ai_detection_sql_matches_reference(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[str, str | None]]
) -> None:
    got = sql_map(con, "ai_pr_tools(a, b)", batch)
    assert got == [rules.detect_ai_tools(t, b) for t, b in batch]


@pytest.mark.parametrize(
    ("title", "body", "tools"),
    [
        ("Add login", "🤖 Generated with [Claude Code](https://claude.com/claude-code)", ["claude"]),
        ("Add login", "AI disclosure: No AI tools were used in this PR.", []),
        ("Fix cursor position in editor", None, []),
        ("Add tests", "I did not use Copilot or Claude for this. Written with Cursor AI.", ["cursor"]),
        ("Drafted with ChatGPT and Aider", "", ["aider", "chatgpt"]),
        ("Refactor", "This PR was AI-generated.", ["other"]),
        # issue 11
        ("Pairing", "Pairing with Claude Dubois on this.", []),
        ("Names", "Co-authored-by: Claude Dubois <claude.dubois@fortline.example>", []),
        ("Bytes", "Co-authored-by : Claude <noreply@anthropic.com>", ["claude"]),
        ("Loop", "Written with Claude Code.", ["claude"]),
        ("Use Claude To Refactor The Parser", None, ["claude"]),
        ("Paginate by cursor", "Fetch the next page using cursor tokens.", []),
        ("Navigate with cursor keys", None, []),
        ("Add tests", "Written with Cursor.", ["cursor"]),
        ("Add tests", "With Cursor, in agent mode.", ["cursor"]),
        ("Access", "Ask claude.dubois@fortline.example or gemini@corp.example for access.", []),
    ],
)
def test_ai_detection_examples(
    con: duckdb.DuckDBPyConnection, title: str, body: str | None, tools: list[str]
) -> None:
    assert rules.detect_ai_tools(title, body) == tools
    assert sql_map(con, "ai_pr_tools(a, b)", [(title, body)]) == [tools]


# --- Bots --------------------------------------------------------------------------------------


def test_known_bots_sql_matches_reference(con: duckdb.DuckDBPyConnection) -> None:
    got = dict(con.execute("SELECT login, ai_tool FROM known_bots").fetchall())
    assert got == rules.KNOWN_BOTS


@SETTINGS
@given(
    st.lists(
        st.sampled_from([*rules.KNOWN_BOTS, "Copilot", "CodeRabbitAI[bot]", "[bot]", "x[BOT]"])
        | st.text(TEXT, max_size=12),
        min_size=1,
        max_size=30,
    )
)
def test_bot_base_sql_matches_reference(con: duckdb.DuckDBPyConnection, batch: list[str]) -> None:
    batch = [b + suffix for b in batch for suffix in ("", "[bot]")]
    assert sql_map(con, "bot_base(a)", [(b,) for b in batch]) == [rules.bot_base(b) for b in batch]


# --- Co-authored-by trailers -------------------------------------------------------------------

NAMES = [
    "Claude",
    "Claude Dubois",
    "Claude Code",
    "Claude Sonnet 4.5",
    "claude 3.5 sonnet",
    "Devin",
    "Devin Walsh",
    "Devin AI",
    "GitHub Copilot",
    "Copilot",
    "Cursor Agent",
    "aider (openai/gpt-4o)",
    "Gemini",
    "ChatGPT",
    "Codex",
    "Ana Smith",
    "",
]
ADDRESSES = [
    "",
    "<noreply@anthropic.com>",
    "<claude.dubois@fortline.example>",
    "<jane@anthropic.com>",
    "<noreply@github.com>",
    "<no-reply@example.org>",
    "<198982749+Copilot@users.noreply.github.com>",
    "<12+claude@users.noreply.github.com>",
    "<158243242+devin-ai-integration[bot]@users.noreply.github.com>",
    "<49699333+dependabot[bot]@users.noreply.github.com>",
    "<cursoragent@cursor.com>",
    "<noreply@aider.chat>",
    "<>",
]
KEYWORDS = [
    "Co-authored-by",
    "co-authored-by",
    "Co-Authored-By",
    "CO-AUTHORED-BY",
    "Co-authored by",
    "Coauthored-by",
]
COLONS = [":", " :", "\t:", ": ", ":\t", "::", ""]


@st.composite
def trailers(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(["", " ", "\t", "> ", "- "]))
    keyword = draw(st.sampled_from(KEYWORDS))
    colon = draw(st.sampled_from(COLONS))
    name = draw(st.sampled_from(NAMES) | st.text(TEXT, max_size=8))
    address = draw(st.sampled_from(ADDRESSES))
    end = draw(st.sampled_from(["", "\r", " ", "\n"]))
    return f"{lead}{keyword}{colon} {name} {address}{end}"


MESSAGES = st.lists(trailers() | st.text(TEXT, max_size=12), min_size=1, max_size=5).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MESSAGES, min_size=5, max_size=30))
def test_trailer_tools_sql_matches_reference(con: duckdb.DuckDBPyConnection, batch: list[str]) -> None:
    got = sql_map(con, "ai_trailer_tools(lower(a))", [(m,) for m in batch])
    assert got == [rules.trailer_tools(m.lower()) for m in batch]


@pytest.mark.parametrize(
    ("message", "tools"),
    [
        ("Fix names\n\nCo-authored-by: Claude Dubois <claude.dubois@fortline.example>", []),
        ("Reject bad bytes\n\nCo-authored-by : Claude <noreply@anthropic.com>", ["claude"]),
        ("x\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>\r\n", ["claude"]),
        ("x\n\nCo-authored-by: Jane Roe <jane@anthropic.com>", []),  # a person at Anthropic
        ("x\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>", ["copilot"]),
        ("x\n\nCo-authored-by: GitHub Copilot <noreply@github.com>", ["copilot"]),
        ("x\n\nCo-authored-by: Devin Walsh <devin@fortline.example>", []),
        ("x\n\nCo-authored-by: Devin <devin@fortline.example>", []),  # a person named Devin
        (
            "x\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            ["devin"],
        ),
        (
            "x\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>",
            ["aider", "cursor"],
        ),
        ("x\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", []),
        ("x\nCo-authored-by: Claude", ["claude"]),  # no address: the name is all there is
        ("see Co-authored-by: Claude <noreply@anthropic.com> inline", []),  # not a trailer line
    ],
)
def test_trailer_examples(con: duckdb.DuckDBPyConnection, message: str, tools: list[str]) -> None:
    assert rules.trailer_tools(message.lower()) == tools
    assert sql_map(con, "ai_trailer_tools(lower(a))", [(message,)]) == [tools]
