-- Per-PR helpers used by every later step.
-- ord orders PRs by (created_at, repo, number): "first PR wins" for a commit SHA, a check run
-- or a Jira key shared by several PRs, so PRs created later never change an earlier PR's rows.
CREATE OR REPLACE TABLE pr AS
SELECT
    -- raw JSON and ids no step reads are left behind: less to copy
    p.* EXCLUDE (raw, node_id, id, requested_reviewers, commits_truncated, files_truncated)
        -- an unknown creation time (see known_at) is NULL; an unknown merge time is "not
        -- merged", as GitHub's null
        REPLACE (known_at(p.created_at) AS created_at, known_at(p.merged_at) AS merged_at),
    p.repo || '#' || p.number AS k,
    row_number() OVER (ORDER BY p.created_at, p.repo, p.number) AS ord,
    CASE WHEN known_at(p.merged_at) IS NOT NULL THEN 'merged'
         WHEN p.state = 'open' THEN 'open'
         ELSE 'closed' END AS state_out
FROM snap_pull_requests p;

-- Position of every repo: its index in the project's repos (manifest order), repos absent from
-- the list after them in name order. Used for collision-free synthetic Jira keys.
CREATE OR REPLACE TABLE repo_pos AS
WITH listed AS (
    SELECT unnest(repos) AS repo, generate_subscripts(repos, 1) AS pos FROM params
), unlisted AS (
    SELECT repo, (SELECT len(repos) FROM params) + row_number() OVER (ORDER BY repo) AS pos
    FROM (SELECT DISTINCT repo FROM pr) WHERE repo NOT IN (SELECT repo FROM listed)
)
SELECT repo, pos FROM listed UNION ALL SELECT repo, pos FROM unlisted;
