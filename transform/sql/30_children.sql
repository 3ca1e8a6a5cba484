-- Reviews, commits, files and check runs of the PRs in the snapshot.

-- Reviews. State mapping to the target choices (approved / changes_requested / commented):
--   APPROVED -> approved, CHANGES_REQUESTED -> changes_requested, COMMENTED -> commented,
--   DISMISSED -> commented (it was submitted and its text stays; only its verdict was withdrawn),
--   PENDING -> dropped (a draft review that was never submitted: no submitted_at, invisible to
--   everyone but its author). A review id shared by several PRs is kept once, first PR wins.
CREATE OR REPLACE TABLE rv AS
SELECT
    r.*, p.ord, p.author_id AS pr_author_id,
    CASE upper(r.state)
        WHEN 'APPROVED' THEN 'approved'
        WHEN 'CHANGES_REQUESTED' THEN 'changes_requested'
        ELSE 'commented'
    END AS state_out,
    CASE WHEN m.is_bot THEN b.ai_tool END AS ai_reviewer_type
FROM snap_reviews r
JOIN pr p ON p.repo = r.repo AND p.number = r.pr_number
LEFT JOIN members m ON m.id = r.reviewer_id
LEFT JOIN known_bots b ON b.login = bot_base(r.reviewer_login)
WHERE upper(r.state) <> 'PENDING'
QUALIFY row_number() OVER (PARTITION BY r.id ORDER BY p.ord) = 1;

CREATE OR REPLACE TABLE out_metrics_prreview AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    repo AS github_repo,
    pr_number AS github_pr_id,
    id AS github_review_id,
    reviewer_id::VARCHAR AS reviewer_github_id,
    state_out AS state,
    coalesce(body, '') AS body,
    known_at(submitted_at) AS submitted_at,
    ai_reviewer_type IS NOT NULL AS is_ai_review,
    coalesce(ai_reviewer_type, '') AS ai_reviewer_type
FROM rv;

-- AI co-authors of every snapshot commit row (also duplicates, for has_ai_commits of each PR):
-- the tools of its Co-authored-by trailers, and the tool of an AI bot that authored it.
CREATE OR REPLACE TABLE commit_ai AS
WITH tools AS (
    SELECT repo, pr_number, sha, unnest(ai_trailer_tools(lower(message))) AS tool
    FROM snap_commits
    WHERE contains(lower(message), 'co-authored-by')
    UNION ALL
    SELECT c.repo, c.pr_number, c.sha, b.ai_tool
    FROM snap_commits c
    JOIN members m ON m.id = c.author_id AND m.is_bot
    JOIN known_bots b ON b.login = bot_base(m.login) AND b.ai_tool IS NOT NULL
)
SELECT repo, pr_number, sha, list_sort(list_distinct(list(tool))) AS tools
FROM tools
GROUP BY ALL;

-- Commits: unique per SHA (UNIQUE(team, github_sha)), first PR wins. The author falls back to
-- the PR author when the commit email maps to no GitHub account; committed_at is the author date
-- (the committer date when the author date is missing or unknown, see known_git_at).
CREATE OR REPLACE TABLE out_metrics_commit AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    c.sha AS github_sha,
    c.repo AS github_repo,
    c.pr_number AS github_pr_id,
    coalesce(c.author_id, p.author_id)::VARCHAR AS author_github_id,
    left(c.message, 500) AS message,
    coalesce(known_git_at(c.authored_at), known_git_at(c.committed_at)) AS committed_at,
    coalesce(c.additions, 0)::INTEGER AS additions,
    coalesce(c.deletions, 0)::INTEGER AS deletions,
    a.tools IS NOT NULL AS is_ai_assisted,
    to_json(coalesce(a.tools, []::VARCHAR[]))::VARCHAR AS ai_co_authors
FROM snap_commits c
JOIN pr p ON p.repo = c.repo AND p.number = c.pr_number
LEFT JOIN commit_ai a ON a.repo = c.repo AND a.pr_number = c.pr_number AND a.sha = c.sha
QUALIFY row_number() OVER (PARTITION BY c.sha ORDER BY p.ord) = 1;

-- Files. Status mapping to added/modified/removed/renamed: copied -> added (a new path),
-- changed (mode/type change) and unchanged -> modified, deleted -> removed. Filenames longer than
-- 500 characters are cut; if two cut names collide in one PR the first full name wins.
CREATE OR REPLACE TABLE out_metrics_prfile AS
WITH named AS (
    SELECT f.*, '/' || lower(f.filename) AS slashed, cf_base(lower(f.filename)) AS base
    FROM snap_files f
    SEMI JOIN pr p ON p.repo = f.repo AND p.number = f.pr_number
), parts AS (
    SELECT *, cf_ext(base) AS ext FROM named
)
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    repo AS github_repo,
    pr_number AS github_pr_id,
    left(filename, 500) AS filename,
    CASE lower(status)
        WHEN 'added' THEN 'added'
        WHEN 'copied' THEN 'added'
        WHEN 'removed' THEN 'removed'
        WHEN 'deleted' THEN 'removed'
        WHEN 'renamed' THEN 'renamed'
        ELSE 'modified'
    END AS status,
    additions::INTEGER AS additions,
    deletions::INTEGER AS deletions,
    (additions + deletions)::INTEGER AS changes,
    cf_decide(slashed, base, ext) AS file_category  -- = categorize_file(filename)
FROM parts
QUALIFY row_number() OVER (PARTITION BY repo, pr_number, left(filename, 500) ORDER BY filename) = 1;

-- Check runs: unique per id (PRs sharing a head commit share its runs), first PR wins.
-- status: queued/in_progress/completed (waiting, requested, pending -> queued);
-- conclusion: startup_failure -> failure, values outside the target choices -> NULL.
CREATE OR REPLACE TABLE out_metrics_prcheckrun AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    c.repo AS github_repo,
    c.pr_number AS github_pr_id,
    c.id AS github_check_run_id,
    left(c.name, 255) AS name,
    CASE WHEN c.status IN ('completed', 'in_progress', 'queued') THEN c.status ELSE 'queued' END AS status,
    CASE
        WHEN c.conclusion = 'startup_failure' THEN 'failure'
        WHEN c.conclusion IN ('success', 'failure', 'skipped', 'cancelled', 'timed_out',
                              'action_required', 'neutral', 'stale') THEN c.conclusion
    END AS conclusion,
    known_at(c.started_at) AS started_at,
    known_at(c.completed_at) AS completed_at,
    -- whole seconds, truncated; NULL for an unknown, missing or reversed end (seconds_between)
    seconds_between(c.started_at, c.completed_at) AS duration_seconds
FROM snap_check_runs c
JOIN pr p ON p.repo = c.repo AND p.number = c.pr_number
QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY p.ord) = 1;
