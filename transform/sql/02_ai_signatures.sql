-- AI signatures: the documented, data-driven part of AI detection.
--
-- PR text (title + body), mirrored by tests.rules.detect_ai_tools: a person named Claude is
--   blanked (ai_unperson), Co-authored-by lines are judged as trailers (below), and the rest of
--   the lowercased "title\nbody" is split into sentences ('.', '!' or '?' followed by whitespace
--   or the end, or a newline); a sentence that contains a negation (no, not, without, never,
--   none, zero, n't) is a negative disclosure such as "No AI tools were used" or "I did not use
--   Copilot" and never counts; every other sentence is matched against ai_text_tools().
--   is_ai_assisted = at least one tool; ai_tools_detected = the sorted tool names.
-- Commits: each "Co-authored-by:" trailer (case-insensitive, one per line, "Co-authored-by :"
--   too) is judged by ai_coauthor_tools(): an AI tool's own address first, a tool's product name
--   only without a personal address; metrics_commit.ai_co_authors = the sorted tool names,
--   mirrored by tests.rules.trailer_tools.
-- Reviews: a review is an AI review when its author is a bot whose login (without "[bot]") is an
--   AI tool's in known_bots.
-- Commits: also AI when authored by such a bot (the Copilot coding agent, Devin, ...).
-- Files: has_ai_files when a PR touches an AI agent instruction file (is_ai_file()).

-- Bot accounts by login. GitHub's REST API names an app's bot "coderabbitai[bot]", GraphQL
-- "coderabbitai"; bot_base() is the login without that suffix, lowercased, the key of known_bots.
-- ai_tool: the AI tool behind the bot (its review is an AI review, its commits AI commits), NULL
-- for bots that are not AI. An account is a bot by its type (Bot) or a "[bot]" login; a known
-- bot login counts only while no sighting of the account says it is a User (20_members.sql), so
-- a human whose login happens to be "claude" stays human.
CREATE OR REPLACE MACRO bot_base(login) AS regexp_replace(lower(login), '\[bot\]$', '');

CREATE OR REPLACE MACRO known_bot_list() AS [
    {'login': 'coderabbitai', 'ai_tool': 'coderabbit'},
    {'login': 'copilot-pull-request-reviewer', 'ai_tool': 'copilot'},
    {'login': 'github-copilot', 'ai_tool': 'copilot'},
    {'login': 'copilot-swe-agent', 'ai_tool': 'copilot'},
    {'login': 'copilot', 'ai_tool': 'copilot'},  -- the Copilot coding agent as commit and PR author ("Copilot", type Bot)
    {'login': 'cursor', 'ai_tool': 'cursor'},
    {'login': 'claude', 'ai_tool': 'claude'},
    {'login': 'gemini-code-assist', 'ai_tool': 'gemini'},
    {'login': 'devin-ai-integration', 'ai_tool': 'devin'},
    {'login': 'chatgpt-codex-connector', 'ai_tool': 'codex'},
    {'login': 'sourcery-ai', 'ai_tool': 'sourcery'},
    {'login': 'greptile-apps', 'ai_tool': 'greptile'},
    {'login': 'ellipsis-dev', 'ai_tool': 'ellipsis'},
    {'login': 'qodo-merge-pro', 'ai_tool': 'qodo'},
    {'login': 'codiumai-pr-agent-pro', 'ai_tool': 'qodo'},
    {'login': 'korbit-ai', 'ai_tool': 'korbit'},
    {'login': 'graphite-app', 'ai_tool': 'graphite'},
    {'login': 'cubic-dev-ai', 'ai_tool': 'cubic'},
    {'login': 'codeant-ai', 'ai_tool': 'codeant'},
    {'login': 'dependabot', 'ai_tool': NULL},
    {'login': 'renovate', 'ai_tool': NULL},
    {'login': 'github-actions', 'ai_tool': NULL},
    {'login': 'mergify', 'ai_tool': NULL},
    {'login': 'codecov', 'ai_tool': NULL},
    {'login': 'netlify', 'ai_tool': NULL},
    {'login': 'vercel', 'ai_tool': NULL},
    {'login': 'changeset-bot', 'ai_tool': NULL},
    {'login': 'pre-commit-ci', 'ai_tool': NULL}
];

CREATE OR REPLACE TABLE known_bots AS SELECT unnest(known_bot_list(), recursive := true);

-- The AI tool of a bot login (with or without "[bot]"), or NULL.
CREATE OR REPLACE MACRO ai_bot_tool(login) AS
    [b.ai_tool FOR b IN known_bot_list() IF b.login = bot_base(login)][1];

-- Tool signatures, lowercased text -> the tools whose pattern matches (constant patterns, so
-- each regex compiles once).
CREATE OR REPLACE MACRO ai_text_tools(sentence) AS [t FOR t IN [
        CASE WHEN regexp_matches(sentence, '\bclaude\b') THEN 'claude' END,
        CASE WHEN regexp_matches(sentence, '\bcopilot\b') THEN 'copilot' END,
        CASE WHEN regexp_matches(sentence, '\bcursor[ -](?:ai|agent|ide|composer|editor)\b|\bcursor\.(?:com|sh)\b') THEN 'cursor' END,
        CASE WHEN regexp_matches(sentence, '\bdevin[ .-]ai\b') THEN 'devin' END,
        CASE WHEN regexp_matches(sentence, '\bwindsurf\b') THEN 'windsurf' END,
        CASE WHEN regexp_matches(sentence, '\baider\b') THEN 'aider' END,
        CASE WHEN regexp_matches(sentence, '\bgemini\b') THEN 'gemini' END,
        CASE WHEN regexp_matches(sentence, '\bchat-?gpt\b|\bgpt-[345]') THEN 'chatgpt' END,
        CASE WHEN regexp_matches(sentence, '\bcodex\b') THEN 'codex' END,
        CASE WHEN regexp_matches(sentence, '\bai[ -](?:generated|assisted|written)\b|\b(?:generated|written|created|assisted) (?:by|with|using) (?:an? )?(?:ai|llm)\b') THEN 'other' END
    ] IF t IS NOT NULL];

CREATE OR REPLACE MACRO ai_negated(sentence) AS
    regexp_matches(sentence, '\b(?:no|not|without|never|none|zero)\b|n''t\b|n’t');

CREATE OR REPLACE MACRO ai_sentences(text) AS
    regexp_split_to_array(text, '[.!?](?:[ \t\r\n]|$)|\n');

-- The tools disclosed by lowercased text (sorted, distinct). The keyword prefilter is only a
-- shortcut: every signature in ai_text_tools() contains one of its words.
CREATE OR REPLACE MACRO ai_tools_in_text(text) AS CASE
    WHEN regexp_matches(text,
        'claude|copilot|cursor|devin|windsurf|aider|gemini|gpt|codex|generated|assisted|written|created')
    THEN list_sort(list_distinct(flatten(
        [ai_text_tools(s) FOR s IN ai_sentences(text) IF NOT ai_negated(s)])))
    ELSE []::VARCHAR[]
END;

-- Co-authored-by trailers, one per line, in any case, with or without blanks before the colon
-- ("Co-authored-by :"): the value is "Name <address>". An AI tool's own address decides (Claude
-- Code's noreply@anthropic.com, Cursor's cursoragent@cursor.com, aider's noreply@aider.chat, the
-- GitHub noreply address of an AI bot or of the Copilot agent); any other personal address is a
-- person, whatever the name ("Claude Dubois <claude@dubois.example>", "Devin <devin@corp>").
-- Without an address, or with a generic no-reply one (noreply@github.com), the whole name must be
-- a tool's product name (ai_name_tools): "Claude", "Claude Code", "Claude Opus 4.1", "GitHub
-- Copilot", "aider (gpt-4o)"; "Claude Dubois" is not.
CREATE OR REPLACE MACRO ai_address_tool(email) AS CASE
    WHEN email = 'noreply@anthropic.com' THEN 'claude'
    WHEN email = 'cursoragent@cursor.com' THEN 'cursor'
    WHEN email = 'noreply@aider.chat' THEN 'aider'
    WHEN regexp_matches(email, '^(?:[0-9]+\+)?copilot@users\.noreply\.github\.com$') THEN 'copilot'
    WHEN regexp_matches(email, '^(?:[0-9]+\+)?[^@]*\[bot\]@users\.noreply\.github\.com$')
        THEN ai_bot_tool(regexp_extract(email, '^(?:[0-9]+\+)?([^@]*\[bot\])@', 1))
END;

CREATE OR REPLACE MACRO ai_name_tools(name) AS [t FOR t IN [
        CASE WHEN regexp_full_match(name, 'claude(?: code| (?:opus|sonnet|haiku|instant|[0-9])[^<>]*)?') THEN 'claude' END,
        CASE WHEN regexp_full_match(name, '(?:github )?copilot(?: (?:agent|chat|coding agent))?|copilot(?:-swe-agent)?\[bot\]') THEN 'copilot' END,
        CASE WHEN regexp_full_match(name, 'cursor(?: ?agent| ai)?|cursor\[bot\]') THEN 'cursor' END,
        CASE WHEN regexp_full_match(name, 'devin(?: ai)?|devin-ai-integration(?:\[bot\])?') THEN 'devin' END,
        CASE WHEN regexp_full_match(name, 'windsurf|codeium') THEN 'windsurf' END,
        CASE WHEN regexp_full_match(name, 'aider(?: \([^()]*\))?') THEN 'aider' END,
        CASE WHEN regexp_full_match(name, 'gemini(?: code assist| cli| [0-9][^<>]*)?|gemini-code-assist(?:\[bot\])?') THEN 'gemini' END,
        CASE WHEN regexp_full_match(name, 'chat-?gpt') THEN 'chatgpt' END,
        CASE WHEN regexp_full_match(name, '(?:openai )?codex(?: cli)?|chatgpt-codex-connector(?:\[bot\])?') THEN 'codex' END
    ] IF t IS NOT NULL];

-- One lowercased trailer value -> its tools (at most one).
CREATE OR REPLACE MACRO ai_coauthor_of(name, email, has_email) AS CASE
    WHEN has_email AND ai_address_tool(email) IS NOT NULL THEN [ai_address_tool(email)]
    WHEN NOT has_email OR regexp_matches(email, '^no-?reply@') THEN ai_name_tools(name)
    ELSE []::VARCHAR[]
END;

CREATE OR REPLACE MACRO ai_coauthor_tools(trailer) AS ai_coauthor_of(
    trim(regexp_replace(trailer, '<.*$', ''), ' ' || chr(9) || chr(13)),
    trim(regexp_extract(trailer, '<([^<>]*)>', 1), ' ' || chr(9) || chr(13)),
    regexp_matches(trailer, '<[^<>]*>'));

-- The AI tools of the Co-authored-by trailers in lowercased text (sorted, distinct).
CREATE OR REPLACE MACRO ai_trailer_tools(text) AS CASE
    WHEN contains(text, 'co-authored-by') THEN list_sort(list_distinct(flatten(
        [ai_coauthor_tools(t)
         FOR t IN regexp_extract_all(text, '(?m)^[ \t]*co-authored-by[ \t]*:[ \t]*(.*)$', 1)])))
    ELSE []::VARCHAR[]
END;

-- A person named Claude is not the tool: in the original case, "Claude" followed by a capitalised
-- word is a person's name ("Claude Dubois") unless that word is a product or model word or one of
-- the short words a Title Case sentence puts there ("Claude Code", "Claude Opus", "Use Claude To
-- Refactor"); such names are blanked before the text rules run.
CREATE OR REPLACE MACRO ai_unperson(text) AS CASE WHEN contains(text, 'Claude ') THEN
    regexp_replace(
        regexp_replace(text,
            '\bClaude ((?:Code|Opus|Sonnet|Haiku|Instant|Desktop|App|Chat|Max|Pro|Team|Enterprise|For|To|And|With|In|On|Via|As|Is|Was|The|Did|Does|Has|Had|Wrote|Made|Generated|Helped|Suggested)\b)',
            'claude \1', 'g'),
        '\bClaude [A-Z][a-z]+', ' ', 'g')
    ELSE text END;

-- "Cursor" the editor is a capitalised name after with/using/via/by ("written with Cursor"); in
-- lowercase, "paginate by cursor" or "move using cursor keys" is a database or text cursor. The
-- product mention is marked before lowercasing ("with cursor-ide"), so the lowercase signature
-- needs a product form.
CREATE OR REPLACE MACRO ai_cursor_mark(text) AS CASE WHEN contains(text, 'Cursor') THEN
    regexp_replace(text, '\b((?i:with|using|via|by)) Cursor\b', '\1 cursor-ide', 'g')
    ELSE text END;

-- The tools a PR discloses in title + body (sorted, distinct): the text rules over every line but
-- the Co-authored-by trailers, which are judged as trailers (as in commit messages).
-- An e-mail address in prose is an identity, not a word ("ask claude.dubois@fortline.example"):
-- blanked before the text rules (trailer addresses are judged above).
CREATE OR REPLACE MACRO ai_unaddress(text) AS CASE WHEN contains(text, '@') THEN
    regexp_replace(text, '[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+', ' ', 'g')
    ELSE text END;

CREATE OR REPLACE MACRO ai_pr_text_tools(text) AS CASE
    WHEN contains(text, 'co-authored-by') THEN list_sort(list_distinct(
        ai_tools_in_text(ai_unaddress(regexp_replace(text, '(?m)^[ \t]*co-authored-by[ \t]*:.*$', '', 'g')))
        || ai_trailer_tools(text)))
    ELSE ai_tools_in_text(ai_unaddress(text))
END;

CREATE OR REPLACE MACRO ai_pr_tools(title, body) AS
    ai_pr_text_tools(lower(ai_cursor_mark(ai_unperson(coalesce(title, '') || chr(10) || coalesce(body, '')))));

CREATE OR REPLACE MACRO is_ai_file(lower_path) AS regexp_matches(lower_path,
    '(?:^|/)claude\.md$|(?:^|/)agents\.md$|(?:^|/)gemini\.md$|(?:^|/)\.cursorrules$|(?:^|/)\.windsurfrules$|(?:^|/)copilot-instructions\.md$|(?:^|/)\.(?:cursor|claude)/');
