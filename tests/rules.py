r"""The documented text rules of the transform, as small pure Python functions.

The transform runs these rules in DuckDB SQL (``transform/sql/01_macros.sql`` and
``transform/sql/02_ai_signatures.sql``); the functions here are their written specification and
the reference the property tests compare the SQL against. Change both together.

Regular expressions are restricted to the syntax RE2 (DuckDB) and Python agree on: ASCII ``\b``,
``[0-9]`` instead of ``\d``, explicit whitespace classes, and matching on lowercased text instead
of case-insensitive flags.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# --- Jira keys -------------------------------------------------------------------------------

JIRA_KEY_MAX = 50  # metrics_jiraissue.jira_key / metrics_pullrequest.jira_key are varchar(50)
# Standard, advisory, reference and product ids shaped like Jira keys (UTF-8, ISO-8601,
# CVE-2021-23337, SOC-2, FIPS-140, MPEG-4, USB-3, GPT-4, K8S-1, PEP-8, GH-123 ...): never another
# project's key, even in a ticket position ("GPT-4: add summaries").
JIRA_NOT_KEYS = frozenset(
    [
        "UTF",
        "UCS",
        "ISO",
        "IEC",
        "IEEE",
        "ANSI",
        "ECMA",
        "ES",
        "TC",
        "RFC",
        "BCP",
        "PEP",
        "JEP",
        "JSR",
        "KEP",
        "PSR",
        "WCAG",
        "CVE",
        "CWE",
        "CAPEC",
        "GHSA",
        "PYSEC",
        "RUSTSEC",
        "GO",
        "OSV",
        "RHSA",
        "USN",
        "DSA",
        "SNYK",
        "OWASP",
        "NIST",
        "FIPS",
        "SOC",
        "PCI",
        "CIS",
        "SHA",
        "MD",
        "CRC",
        "AES",
        "DES",
        "RSA",
        "HMAC",
        "ECDSA",
        "PKCS",
        "TLS",
        "SSL",
        "HTTP",
        "IPV",
        "USB",
        "HDMI",
        "DDR",
        "PCIE",
        "LTE",
        "WPA",
        "MPEG",
        "AVC",
        "HEVC",
        "GPT",
        "LLAMA",
        "PHI",
        "QWEN",
        "K8S",
        "K3S",
        "X86",
        "ARM",
        "WIN",
        "CP",
        "IE",
        "COVID",
        "PR",
        "MR",
        "GH",
    ]
)
# A KEY-<digits> token not inside a word: (preceding character or "", prefix, number, tail). A tail
# is what makes it a version or a name instead of a key: a letter right after the digits
# ("GPT-4o"), or "." / "-" and a digit ("TLS-1.3", "dlt-1.46.3", "CVE-2021-23337").
JIRA_TOKEN_RE = re.compile(r"(^|[^A-Za-z0-9])([A-Za-z][A-Za-z0-9]*)-([0-9]+)([A-Za-z]|[.-][0-9])?")
# Another project's key has Jira's shape: 2-10 uppercase letters/digits, starting with a letter.
JIRA_FOREIGN_PREFIX_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
# Another project's key in a title counts only in a ticket position: the title's first word, after
# an optional conventional-commit type ("feat(ui)!: ") and an optional "[" or "(" ...
JIRA_TITLE_HEAD_RE = re.compile(
    r"[ \t]*(?:[A-Za-z]+(?:\([^)]*\))?!?:[ \t]*)?[\[(]?([A-Z][A-Z0-9]{1,9}-[0-9]+)([A-Za-z]|[.-][0-9])?"
)
# ... or in brackets anywhere: "[ABC-12]", "(ABC-12)", "fix(ABC-12): ...".
JIRA_BRACKETED_RE = re.compile(r"[\[(]([A-Z][A-Z0-9]{1,9}-[0-9]+)[\])]")


def jira_key_is_name(own: str, repos: tuple[str, ...] | list[str]) -> bool:
    """True when the project's Jira key is also a word of its repositories' names.

    ``DLT`` for ``dlt-hub/dlt``, ``NUXT`` for ``nuxt/nuxt``: then "dlt-1", "nuxt-3" or "deno-2" in
    lowercase are the product and its version, not a ticket.
    """
    words = {w for repo in repos for w in re.split(r"[^a-z0-9]+", repo.lower())}
    return bool(own) and own.lower() in words


def _tokens(text: str) -> list[tuple[str, str, str, bool]]:
    """(preceding character, prefix, number, clean) of every KEY-<digits> token, in order."""
    return [(m[1], m[2], m[3], m[4] is None) for m in JIRA_TOKEN_RE.finditer(text)]


def _own_keys(text: str, own: str, *, branch: bool, own_is_name: bool) -> list[str]:
    if not own:
        return []
    keys = []
    for pre, prefix, number, clean in _tokens(text):
        if not clean or prefix.upper() != own.upper():
            continue
        # Uppercase anywhere; another case only at the start of a branch (segment): "ftl-42-x",
        # "feature/ftl-42-x", and only when the key is not also the product's name.
        if prefix == own.upper() or (branch and pre in ("", "/") and not own_is_name):
            keys.append(f"{own.upper()}-{number}")
    return [k for k in keys if len(k) <= JIRA_KEY_MAX]


def _foreign(prefix: str) -> bool:
    return JIRA_FOREIGN_PREFIX_RE.fullmatch(prefix) is not None and prefix not in JIRA_NOT_KEYS


def _foreign_title_keys(title: str) -> list[str]:
    keys = []
    head = JIRA_TITLE_HEAD_RE.match(title)
    if head and head[2] is None:
        keys.append(head[1])
    keys += JIRA_BRACKETED_RE.findall(title)
    return [k for k in keys if _foreign(k.split("-")[0]) and len(k) <= JIRA_KEY_MAX]


def _foreign_branch_keys(branch: str) -> list[str]:
    keys = [f"{p}-{n}" for pre, p, n, clean in _tokens(branch) if clean and pre in ("", "/") and _foreign(p)]
    return [k for k in keys if len(k) <= JIRA_KEY_MAX]


def parse_jira_key(
    title: str | None, head_ref: str | None, own: str = "", repos: tuple[str, ...] | list[str] = ()
) -> str:
    """Return the Jira key of a PR, or ``""``.

    A key is ``PREFIX-<digits>`` not inside a word and not followed by a letter, or by "." or "-"
    and a digit (``GPT-4o``, ``TLS-1.3``, ``dlt-1.46.3`` are names and versions). In this order:

    1. the project's own key ``own`` in uppercase, anywhere in the title;
    2. the own key in the branch: uppercase anywhere, in another case only at the start of the
       branch or of a ``/`` segment (``ftl-42-session-timeout``, ``feature/ftl-42``) and only when
       the key is not also a word of the project's ``repos`` (:func:`jira_key_is_name`);
    3. another project's key, uppercase in Jira's shape (2-10 letters/digits) and not a standard or
       product id (:data:`JIRA_NOT_KEYS`), in a ticket position: the title's first word (after an
       optional ``type(scope):`` and ``[``/``(``), in brackets in the title, then the start of the
       branch or of a ``/`` segment.

    Keys longer than 50 characters are skipped.
    """
    title, head_ref = title or "", head_ref or ""
    own_is_name = jira_key_is_name(own, repos)
    keys = (
        _own_keys(title, own, branch=False, own_is_name=own_is_name)
        + _own_keys(head_ref, own, branch=True, own_is_name=own_is_name)
        + _foreign_title_keys(title)
        + _foreign_branch_keys(head_ref)
    )
    return keys[0] if keys else ""


# --- Known times (transform/sql/01_macros.sql: known_at, known_git_at) -------------------------

GITHUB_EPOCH = datetime(2008, 1, 1, tzinfo=UTC)  # no PR, review, check run or comment predates it
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a zero Unix time: git's "no date"
CLOCK_SKEW = timedelta(days=1)  # GitHub's clock against the extracting machine's
NO_LATER_THAN = datetime(9999, 1, 1, tzinfo=UTC)  # without an extraction time


def latest_known_at(extracted: datetime | None) -> datetime:
    """The latest possible time in a snapshot extracted at ``extracted`` (manifest finished_at)."""
    return extracted + CLOCK_SKEW if extracted is not None else NO_LATER_THAN


def known_github_at(value: datetime | None, latest: datetime) -> datetime | None:
    """A GitHub object's time in [2008-01-01, latest], else None (unknown)."""
    return value if value is not None and GITHUB_EPOCH <= value <= latest else None


def known_git_at(value: datetime | None, latest: datetime) -> datetime | None:
    """A git author/committer date in (1970-01-01T00:00:00Z, latest], else None (unknown)."""
    return value if value is not None and UNIX_EPOCH < value <= latest else None


# --- File categories (metrics-schema.md §1.7) --------------------------------------------------

TEST_DIRS = ("/tests/", "/test/", "/__tests__/")
TEST_PREFIXES = ("test_", "test.")
TEST_INFIXES = ("_test.", ".test.", ".spec.", "_spec.")
TEST_SUFFIXES = tuple(f"_test.{ext}" for ext in ("go", "py", "rb", "rs", "ts", "js"))
JS_EXTENSIONS = ("js", "ts", "mjs", "cjs")
JS_BACKEND_EXCEPTIONS = ("/pages/api/", "/app/api/", "/routes/api/", "/server/api/")
JS_FRONTEND_DIRS = (
    "/components/",
    "/hooks/",
    "/pages/",
    "/frontend/",
    "/ui/",
    "/views/",
    "/layouts/",
    "/styles/",
    "/client/",
    "/public/",
    "/static/",
    "/assets/",
    "/widgets/",
    "/screens/",
    "/containers/",
    "/store/",
    "/stores/",
    "/redux/",
    "/context/",
    "/contexts/",
    "/providers/",
    "/theme/",
    "/themes/",
    "/icons/",
    "/features/",
    "/templates/",
    "/web/",
    "/www/",
    "/app/",
    "/src/app/",
)
JS_BACKEND_DIRS = (
    "/api/",
    "/apis/",
    "/services/",
    "/service/",
    "/models/",
    "/model/",
    "/server/",
    "/servers/",
    "/scripts/",
    "/script/",
    "/controllers/",
    "/controller/",
    "/routes/",
    "/router/",
    "/routers/",
    "/middleware/",
    "/middlewares/",
    "/db/",
    "/database/",
    "/migrations/",
    "/migration/",
    "/workers/",
    "/worker/",
    "/jobs/",
    "/job/",
    "/queue/",
    "/queues/",
    "/cron/",
    "/handlers/",
    "/handler/",
    "/resolvers/",
    "/graphql/",
    "/schema/",
    "/schemas/",
    "/repositories/",
    "/repository/",
    "/dao/",
    "/entities/",
    "/entity/",
    "/backend/",
    "/functions/",
    "/lambda/",
    "/lambdas/",
    "/cli/",
    "/bin/",
    "/tasks/",
    "/commands/",
    "/auth/",
    "/security/",
    "/infra/",
    "/infrastructure/",
    "/deploy/",
    "/tools/",
    "/build/",
    "/config/",
    "/configs/",
    "/prisma/",
    "/trpc/",
    "/webhooks/",
    "/integrations/",
    "/seeds/",
    "/seeders/",
    "/fixtures/",
    "/mailers/",
    "/emails/",
    "/events/",
    "/listeners/",
    "/subscribers/",
    "/consumers/",
    "/producers/",
    "/plugins/",
)
FRONTEND_EXTENSIONS = (
    "jsx",
    "tsx",
    "vue",
    "svelte",
    "astro",
    "css",
    "scss",
    "sass",
    "less",
    "styl",
    "html",
    "htm",
    "hbs",
    "handlebars",
    "ejs",
    "pug",
    "erb",
    "twig",
    "liquid",
    "njk",
)
BACKEND_EXTENSIONS = (
    "py",
    "go",
    "rs",
    "java",
    "rb",
    "php",
    "c",
    "cc",
    "cpp",
    "cxx",
    "h",
    "hpp",
    "cs",
    "kt",
    "kts",
    "scala",
    "swift",
    "m",
    "mm",
    "ex",
    "exs",
    "erl",
    "hs",
    "clj",
    "lua",
    "pl",
    "r",
    "dart",
    "sh",
    "bash",
    "zsh",
    "ps1",
    "sql",
    "proto",
    "groovy",
    "jl",
    "zig",
    "ml",
    "fs",
    "vb",
    "sol",
    "graphql",
    "gql",
    "prisma",
)
DOCS_EXTENSIONS = ("md", "mdx", "rst", "txt", "adoc", "asciidoc", "org", "tex", "rtf")
CONFIG_EXTENSIONS = (
    "json",
    "jsonc",
    "json5",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "xml",
    "env",
    "lock",
    "properties",
    "plist",
    "gradle",
    "tf",
    "hcl",
    "editorconfig",
    "config",
)
CONFIG_FILENAMES = (
    "dockerfile",
    "makefile",
    "procfile",
    "gemfile",
    "rakefile",
    "vagrantfile",
    "jenkinsfile",
    "brewfile",
    "podfile",
    "codeowners",
    "justfile",
    "caddyfile",
)


def _basename(lower_path: str) -> str:
    return lower_path.rsplit("/", 1)[-1]


def _extension(basename: str) -> str:
    # Leading dots belong to a dotfile's name, not to an extension (".env" has none).
    stem = basename.lstrip(".")
    return stem.rsplit(".", 1)[1] if "." in stem else ""


def categorize_file(path: str) -> str:
    """Categorise a changed file: test, frontend, backend, javascript, docs, config or other.

    First match wins, on the lowercased path with a leading ``/`` so that top-level folders
    (``tests/x.py``) match the ``/tests/`` rules too:

    1. test: a test folder, a ``test_``/``test.`` basename or ``tests.py``, a ``_test.``,
       ``.test.``, ``.spec.`` or ``_spec.`` infix, or a ``_test.{go,py,rb,rs,ts,js}`` suffix;
    2. JS/TS (``.js .ts .mjs .cjs``) by path tiers: backend exceptions (``/pages/api/`` ...) ->
       backend, frontend folders -> frontend, backend folders -> backend, otherwise javascript;
    3. by extension: frontend, backend, docs, config; config also takes well-known filenames
       (Dockerfile, Dockerfile.dev, Makefile, ...) and any dotfile;
    4. anything else: other.
    """
    lower = path.lower()
    slashed = "/" + lower
    base = _basename(lower)
    ext = _extension(base)
    if (
        any(d in slashed for d in TEST_DIRS)
        or base.startswith(TEST_PREFIXES)
        or base == "tests.py"
        or any(i in base for i in TEST_INFIXES)
        or base.endswith(TEST_SUFFIXES)
    ):
        return "test"
    if ext in JS_EXTENSIONS:
        if any(d in slashed for d in JS_BACKEND_EXCEPTIONS):
            return "backend"
        if any(d in slashed for d in JS_FRONTEND_DIRS):
            return "frontend"
        if any(d in slashed for d in JS_BACKEND_DIRS):
            return "backend"
        return "javascript"
    if ext in FRONTEND_EXTENSIONS:
        return "frontend"
    if ext in BACKEND_EXTENSIONS:
        return "backend"
    if ext in DOCS_EXTENSIONS:
        return "docs"
    if (
        ext in CONFIG_EXTENSIONS
        or base in CONFIG_FILENAMES
        or base.startswith("dockerfile")
        or base.startswith(".")
    ):
        return "config"
    return "other"


# --- AI assistance in PR title + body ---------------------------------------------------------

# Order matters only for documentation; the result is the sorted set of tools.
AI_TEXT_SIGNATURES: tuple[tuple[str, str], ...] = (
    ("claude", r"\bclaude\b"),
    ("copilot", r"\bcopilot\b"),
    (
        "cursor",
        r"\bcursor[ -](?:ai|agent|ide|composer|editor)\b|\bcursor\.(?:com|sh)\b",
    ),
    ("devin", r"\bdevin[ .-]ai\b"),
    ("windsurf", r"\bwindsurf\b"),
    ("aider", r"\baider\b"),
    ("gemini", r"\bgemini\b"),
    ("chatgpt", r"\bchat-?gpt\b|\bgpt-[345]"),
    ("codex", r"\bcodex\b"),
    (
        "other",
        r"\bai[ -](?:generated|assisted|written)\b"
        r"|\b(?:generated|written|created|assisted) (?:by|with|using) (?:an? )?(?:ai|llm)\b",
    ),
)
# A sentence with a negation is a negative disclosure ("No AI tools were used", "I did not use
# Copilot") and never counts, even if it names a tool.
AI_NEGATION = r"\b(?:no|not|without|never|none|zero)\b|n't\b|n’t"
SENTENCE_SPLIT = r"[.!?](?:[ \t\r\n]|$)|\n"


# Co-authored-by trailers: one per line, any case, blanks allowed before the colon.
TRAILER_RE = r"(?m)^[ \t]*co-authored-by[ \t]*:[ \t]*(.*)$"
TRAILER_LINE_RE = r"(?m)^[ \t]*co-authored-by[ \t]*:.*$"
# AI tools' own addresses (lowercased).
AI_ADDRESSES = {
    "noreply@anthropic.com": "claude",
    "cursoragent@cursor.com": "cursor",
    "noreply@aider.chat": "aider",
}
# Whole co-author names (lowercased) that are a tool's product name, for trailers without a
# personal address.
AI_NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("claude", r"claude(?: code| (?:opus|sonnet|haiku|instant|[0-9])[^<>]*)?"),
    ("copilot", r"(?:github )?copilot(?: (?:agent|chat|coding agent))?|copilot(?:-swe-agent)?\[bot\]"),
    ("cursor", r"cursor(?: ?agent| ai)?|cursor\[bot\]"),
    ("devin", r"devin(?: ai)?|devin-ai-integration(?:\[bot\])?"),
    ("windsurf", r"windsurf|codeium"),
    ("aider", r"aider(?: \([^()]*\))?"),
    ("gemini", r"gemini(?: code assist| cli| [0-9][^<>]*)?|gemini-code-assist(?:\[bot\])?"),
    ("chatgpt", r"chat-?gpt"),
    ("codex", r"(?:openai )?codex(?: cli)?|chatgpt-codex-connector(?:\[bot\])?"),
)
# "Claude" + a capitalised word is a person ("Claude Dubois"), unless the word is one of these.
CLAUDE_NOT_A_SURNAME = [
    "Code",
    "Opus",
    "Sonnet",
    "Haiku",
    "Instant",
    "Desktop",
    "App",
    "Chat",
    "Max",
    "Pro",
    "Team",
    "Enterprise",
    "For",
    "To",
    "And",
    "With",
    "In",
    "On",
    "Via",
    "As",
    "Is",
    "Was",
    "The",
    "Did",
    "Does",
    "Has",
    "Had",
    "Wrote",
    "Made",
    "Generated",
    "Helped",
    "Suggested",
]


def _address_tool(email: str) -> str | None:
    if email in AI_ADDRESSES:
        return AI_ADDRESSES[email]
    if re.fullmatch(r"(?:[0-9]+\+)?copilot@users\.noreply\.github\.com", email):
        return "copilot"
    bot = re.fullmatch(r"(?:[0-9]+\+)?([^@]*\[bot\])@users\.noreply\.github\.com", email)
    if bot:
        return KNOWN_BOTS.get(bot_base(bot.group(1)))
    return None


def coauthor_tools(trailer: str) -> list[str]:
    """The AI tool of one lowercased ``Co-authored-by`` value ``Name <address>`` (or none).

    An AI tool's own address decides (:data:`AI_ADDRESSES`, the GitHub noreply address of an AI
    bot or of the Copilot agent); any other personal address is a person, whatever the name.
    Without an address, or with a generic ``noreply@``/``no-reply@`` one, the whole name must be
    a product name (:data:`AI_NAME_PATTERNS`): ``claude code`` is, ``claude dubois`` is not.
    """
    name = re.sub(r"<.*$", "", trailer, count=1).strip(" \t\r")
    address = re.search(r"<([^<>]*)>", trailer)
    email = address.group(1).strip(" \t\r") if address else ""
    if address and _address_tool(email) is not None:
        return [str(_address_tool(email))]
    if not address or re.match(r"no-?reply@", email):
        return [tool for tool, pattern in AI_NAME_PATTERNS if re.fullmatch(pattern, name)]
    return []


def trailer_tools(text: str) -> list[str]:
    """The sorted AI tools of the ``Co-authored-by`` trailers in lowercased text."""
    return sorted({tool for t in re.findall(TRAILER_RE, text) for tool in coauthor_tools(t)})


def unperson(text: str) -> str:
    """Blank a person named Claude (original case): ``Claude`` + a capitalised non-product word."""
    if "Claude " not in text:
        return text
    keep = "|".join(CLAUDE_NOT_A_SURNAME)
    text = re.sub(r"\bClaude ((?:" + keep + r")\b)", r"claude \1", text, flags=re.ASCII)
    return re.sub(r"\bClaude [A-Z][a-z]+", " ", text, flags=re.ASCII)


def cursor_mark(text: str) -> str:
    """Mark the editor named after with/using/via/by (original case): ``with Cursor`` -> ``with cursor-ide``.

    Lowercase ``by cursor`` (pagination) or ``using cursor keys`` is not the editor.
    """
    if "Cursor" not in text:
        return text
    return re.sub(r"\b((?i:with|using|via|by)) Cursor\b", r"\1 cursor-ide", text, flags=re.ASCII)


def unaddress(text: str) -> str:
    """Blank e-mail addresses in lowercased prose: an address is an identity, not a word."""
    if "@" not in text:
        return text
    return re.sub(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", " ", text)


def _text_tools(text: str) -> list[str]:
    tools: set[str] = set()
    for sentence in re.split(SENTENCE_SPLIT, text):
        if re.search(AI_NEGATION, sentence, re.ASCII):
            continue
        for tool, pattern in AI_TEXT_SIGNATURES:
            if re.search(pattern, sentence, re.ASCII):
                tools.add(tool)
    return sorted(tools)


def detect_ai_tools(title: str | None, body: str | None) -> list[str]:
    r"""Return the sorted AI tools a PR's title and body disclose (empty: not AI-assisted).

    A person named Claude is blanked (:func:`unperson`), the editor Cursor marked
    (:func:`cursor_mark`), e-mail addresses in prose blanked (:func:`unaddress`);
    ``Co-authored-by`` lines are judged as
    trailers (:func:`coauthor_tools`); the rest of the lowercased ``title + "\n" + body`` is split
    into sentences (``.``, ``!`` or ``?`` followed by whitespace or the end, or a newline);
    sentences containing a negation are dropped; each remaining sentence is matched against
    :data:`AI_TEXT_SIGNATURES`.
    """
    text = cursor_mark(unperson((title or "") + "\n" + (body or ""))).lower()
    if "co-authored-by" not in text:
        return _text_tools(unaddress(text))
    rest = re.sub(TRAILER_LINE_RE, "", text)
    return sorted(set(_text_tools(unaddress(rest))) | set(trailer_tools(text)))


# --- Bots ----------------------------------------------------------------------------------------

# Bot logins without GitHub's "[bot]" suffix (REST: "coderabbitai[bot]", GraphQL: "coderabbitai"),
# lowercased -> the AI tool behind the bot, or None for a bot that is not AI.
KNOWN_BOTS: dict[str, str | None] = {
    "coderabbitai": "coderabbit",
    "copilot-pull-request-reviewer": "copilot",
    "github-copilot": "copilot",
    "copilot-swe-agent": "copilot",
    "copilot": "copilot",
    "cursor": "cursor",
    "claude": "claude",
    "gemini-code-assist": "gemini",
    "devin-ai-integration": "devin",
    "chatgpt-codex-connector": "codex",
    "sourcery-ai": "sourcery",
    "greptile-apps": "greptile",
    "ellipsis-dev": "ellipsis",
    "qodo-merge-pro": "qodo",
    "codiumai-pr-agent-pro": "qodo",
    "korbit-ai": "korbit",
    "graphite-app": "graphite",
    "cubic-dev-ai": "cubic",
    "codeant-ai": "codeant",
    "dependabot": None,
    "renovate": None,
    "github-actions": None,
    "mergify": None,
    "codecov": None,
    "netlify": None,
    "vercel": None,
    "changeset-bot": None,
    "pre-commit-ci": None,
}


def bot_base(login: str) -> str:
    """A login lowercased and without a trailing ``[bot]``, the key of :data:`KNOWN_BOTS`."""
    lower = login.lower()
    return lower[: -len("[bot]")] if lower.endswith("[bot]") else lower
