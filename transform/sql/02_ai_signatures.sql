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
-- Reviews: a review is an AI review when its author login is in ai_reviewer_bots.
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

CREATE OR REPLACE TABLE ai_reviewer_bots (login VARCHAR, ai_reviewer_type VARCHAR);
INSERT INTO ai_reviewer_bots VALUES
    ('coderabbitai[bot]', 'coderabbit'),
    ('copilot-pull-request-reviewer[bot]', 'copilot'),
    ('github-copilot[bot]', 'copilot'),
    ('copilot-swe-agent[bot]', 'copilot'),
    ('cursor[bot]', 'cursor'),
    ('claude[bot]', 'claude'),
    ('gemini-code-assist[bot]', 'gemini'),
    ('devin-ai-integration[bot]', 'devin'),
    ('chatgpt-codex-connector[bot]', 'codex'),
    ('sourcery-ai[bot]', 'sourcery'),
    ('greptile-apps[bot]', 'greptile'),
    ('ellipsis-dev[bot]', 'ellipsis'),
    ('qodo-merge-pro[bot]', 'qodo'),
    ('codiumai-pr-agent-pro[bot]', 'qodo'),
    ('korbit-ai[bot]', 'korbit'),
    ('graphite-app[bot]', 'graphite'),
    ('cubic-dev-ai[bot]', 'cubic'),
    ('codeant-ai[bot]', 'codeant');

CREATE OR REPLACE MACRO is_ai_file(lower_path) AS regexp_matches(lower_path,
    '(?:^|/)claude\.md$|(?:^|/)agents\.md$|(?:^|/)gemini\.md$|(?:^|/)\.cursorrules$|(?:^|/)\.windsurfrules$|(?:^|/)copilot-instructions\.md$|(?:^|/)\.(?:cursor|claude)/');
