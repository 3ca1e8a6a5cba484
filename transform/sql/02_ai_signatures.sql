-- AI signatures: the documented, data-driven part of AI detection.
--
-- PR text (title + body), mirrored by tests.rules.detect_ai_tools:
--   the lowercased "title\nbody" is split into sentences ('.', '!' or '?' followed by whitespace
--   or the end, or a newline); a sentence that contains a negation (no, not, without, never,
--   none, zero, n't) is a negative disclosure such as "No AI tools were used" or "I did not use
--   Copilot" and never counts; every other sentence is matched against ai_text_tools().
--   is_ai_assisted = at least one tool; ai_tools_detected = the sorted tool names.
-- Commits: each "Co-authored-by:" trailer (case-insensitive, one per line) is matched against
--   ai_coauthor_tools(); metrics_commit.ai_co_authors = the sorted tool names.
-- Reviews: a review is an AI review when its author is a bot whose login (without "[bot]") is an
--   AI tool's in known_bots.
-- Commits: also AI when authored by such a bot (the Copilot coding agent, Devin, ...).
-- Files: has_ai_files when a PR touches an AI agent instruction file (is_ai_file()).

-- Tool signatures, lowercased text -> the tools whose pattern matches (constant patterns, so
-- each regex compiles once).
CREATE OR REPLACE MACRO ai_text_tools(sentence) AS [t FOR t IN [
        CASE WHEN regexp_matches(sentence, '\bclaude\b') THEN 'claude' END,
        CASE WHEN regexp_matches(sentence, '\bcopilot\b') THEN 'copilot' END,
        CASE WHEN regexp_matches(sentence, '\bcursor[ -](?:ai|agent|ide|composer|editor)\b|\bcursor\.(?:com|sh)\b|\b(?:with|using|via|by) cursor\b') THEN 'cursor' END,
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

-- The tools disclosed by a PR (sorted, distinct). The keyword prefilter is only a shortcut:
-- every signature in ai_text_tools() contains one of its words.
CREATE OR REPLACE MACRO ai_tools_in_text(text) AS CASE
    WHEN regexp_matches(text,
        'claude|copilot|cursor|devin|windsurf|aider|gemini|gpt|codex|generated|assisted|written|created')
    THEN list_sort(list_distinct(flatten(
        [ai_text_tools(s) FOR s IN ai_sentences(text) IF NOT ai_negated(s)])))
    ELSE []::VARCHAR[]
END;

CREATE OR REPLACE MACRO ai_pr_tools(title, body) AS
    ai_tools_in_text(lower(coalesce(title, '') || chr(10) || coalesce(body, '')));

CREATE OR REPLACE MACRO ai_coauthor_tools(trailer) AS [t FOR t IN [
        CASE WHEN regexp_matches(trailer, '\bclaude\b|@anthropic\.com') THEN 'claude' END,
        CASE WHEN regexp_matches(trailer, '\bcopilot\b') THEN 'copilot' END,
        CASE WHEN regexp_matches(trailer, '\bcursor ?agent\b|@cursor\.(?:com|sh)\b') THEN 'cursor' END,
        CASE WHEN regexp_matches(trailer, '\bdevin\b|devin-ai-integration') THEN 'devin' END,
        CASE WHEN regexp_matches(trailer, '\bwindsurf\b|@codeium\.com') THEN 'windsurf' END,
        CASE WHEN regexp_matches(trailer, '\baider\b') THEN 'aider' END,
        CASE WHEN regexp_matches(trailer, '\bgemini\b') THEN 'gemini' END,
        CASE WHEN regexp_matches(trailer, '\bchat-?gpt\b') THEN 'chatgpt' END,
        CASE WHEN regexp_matches(trailer, '\bcodex\b|@openai\.com') THEN 'codex' END
    ] IF t IS NOT NULL];

-- Bot accounts by login. GitHub's REST API names an app's bot "coderabbitai[bot]", GraphQL
-- "coderabbitai"; bot_base() is the login without that suffix, lowercased, the key of known_bots.
-- ai_tool: the AI tool behind the bot (its review is an AI review, its commits AI commits), NULL
-- for bots that are not AI. An account is a bot by its type (Bot) or a "[bot]" login; a known
-- bot login counts only while no sighting of the account says it is a User (20_members.sql), so
-- a human whose login happens to be "claude" stays human.
CREATE OR REPLACE MACRO bot_base(login) AS regexp_replace(lower(login), '\[bot\]$', '');

CREATE OR REPLACE TABLE known_bots (login VARCHAR PRIMARY KEY, ai_tool VARCHAR);
INSERT INTO known_bots VALUES
    ('coderabbitai', 'coderabbit'),
    ('copilot-pull-request-reviewer', 'copilot'),
    ('github-copilot', 'copilot'),
    ('copilot-swe-agent', 'copilot'),
    ('copilot', 'copilot'),  -- the Copilot coding agent as commit and PR author ("Copilot", type Bot)
    ('cursor', 'cursor'),
    ('claude', 'claude'),
    ('gemini-code-assist', 'gemini'),
    ('devin-ai-integration', 'devin'),
    ('chatgpt-codex-connector', 'codex'),
    ('sourcery-ai', 'sourcery'),
    ('greptile-apps', 'greptile'),
    ('ellipsis-dev', 'ellipsis'),
    ('qodo-merge-pro', 'qodo'),
    ('codiumai-pr-agent-pro', 'qodo'),
    ('korbit-ai', 'korbit'),
    ('graphite-app', 'graphite'),
    ('cubic-dev-ai', 'cubic'),
    ('codeant-ai', 'codeant'),
    ('dependabot', NULL),
    ('renovate', NULL),
    ('github-actions', NULL),
    ('mergify', NULL),
    ('codecov', NULL),
    ('netlify', NULL),
    ('vercel', NULL),
    ('changeset-bot', NULL),
    ('pre-commit-ci', NULL);

CREATE OR REPLACE MACRO is_ai_file(lower_path) AS regexp_matches(lower_path,
    '(?:^|/)claude\.md$|(?:^|/)agents\.md$|(?:^|/)gemini\.md$|(?:^|/)\.cursorrules$|(?:^|/)\.windsurfrules$|(?:^|/)copilot-instructions\.md$|(?:^|/)\.(?:cursor|claude)/');
