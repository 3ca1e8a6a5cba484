-- Pull requests.

-- AI tools disclosed in title + body (rules in 02_ai_signatures.sql).
CREATE OR REPLACE TABLE pr_ai_text AS
SELECT repo, number, ai_pr_tools(title, body) AS tools
FROM pr;

CREATE OR REPLACE TABLE pr_flags AS
WITH first_review AS (
    -- first submitted review by someone other than the author (bots count: they reviewed)
    SELECT r.repo, r.pr_number, min(known_at(r.submitted_at)) AS first_review_at
    FROM snap_reviews r
    JOIN pr p ON p.repo = r.repo AND p.number = r.pr_number
    WHERE upper(r.state) <> 'PENDING'
      AND (r.reviewer_id IS NULL OR p.author_id IS NULL OR r.reviewer_id <> p.author_id)
    GROUP BY ALL
), ai_commits AS (
    SELECT DISTINCT repo, pr_number FROM commit_ai
), ai_reviews AS (
    SELECT DISTINCT repo, pr_number FROM rv WHERE ai_reviewer_type IS NOT NULL
), ai_files AS (
    SELECT DISTINCT repo, pr_number FROM snap_files WHERE is_ai_file(lower(filename))
)
SELECT
    p.repo, p.number,
    fr.first_review_at,
    ac.repo IS NOT NULL AS has_ai_commits,
    ar.repo IS NOT NULL AS has_ai_review,
    af.repo IS NOT NULL AS has_ai_files
FROM pr p
LEFT JOIN first_review fr ON fr.repo = p.repo AND fr.pr_number = p.number
LEFT JOIN ai_commits ac ON ac.repo = p.repo AND ac.pr_number = p.number
LEFT JOIN ai_reviews ar ON ar.repo = p.repo AND ar.pr_number = p.number
LEFT JOIN ai_files af ON af.repo = p.repo AND af.pr_number = p.number;

CREATE OR REPLACE TABLE pr_out AS
SELECT
    p.*,
    f.first_review_at,
    f.has_ai_commits, f.has_ai_review, f.has_ai_files,
    t.tools AS ai_tools,
    jira_key_of(p.title, p.head_ref) AS jira_key,
    CASE WHEN p.merged_at IS NOT NULL THEN hours_between(p.created_at, p.merged_at) END AS cycle_time_hours,
    CASE WHEN f.first_review_at IS NOT NULL THEN hours_between(p.created_at, f.first_review_at) END
        AS review_time_hours,
    -- Real signals only: a "Revert ..." title or GitHub's revert-<n>-... branch; "hotfix"
    -- (hot fix, hot-fix, hot_fix) in the title or branch.
    regexp_matches(lower(p.title), '^[ \t]*\[?revert\b') OR starts_with(lower(coalesce(p.head_ref, '')), 'revert-')
        AS is_revert,
    regexp_matches(lower(p.title || ' ' || coalesce(p.head_ref, '')), '\bhot[ _-]?fix') AS is_hotfix
FROM pr p
JOIN pr_flags f ON f.repo = p.repo AND f.number = p.number
JOIN pr_ai_text t ON t.repo = p.repo AND t.number = p.number;

CREATE OR REPLACE TABLE out_metrics_pullrequest AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    repo AS github_repo,
    number AS github_pr_id,
    left(title, 500) AS title,
    coalesce(body, '') AS body,
    author_id::VARCHAR AS author_github_id,
    state_out AS state,
    created_at AS pr_created_at,
    merged_at,
    first_review_at,
    cycle_time_hours,
    review_time_hours,
    NULL::INTEGER AS review_rounds,
    NULL::DECIMAL(10, 2) AS avg_fix_response_hours,
    NULL::INTEGER AS commits_after_first_review,
    NULL::INTEGER AS total_comments,
    additions::INTEGER AS additions,
    deletions::INTEGER AS deletions,
    is_revert,
    is_hotfix,
    draft AS is_draft,
    to_json(labels)::VARCHAR AS labels,
    left(coalesce(milestone, ''), 255) AS milestone_title,
    to_json(assignees)::VARCHAR AS assignees,
    '[]' AS linked_issues,
    len(ai_tools) > 0 AS is_ai_assisted,
    to_json(ai_tools)::VARCHAR AS ai_tools_detected,
    'regex-v1' AS ai_detection_version,
    has_ai_commits,
    has_ai_review,
    has_ai_files,
    NULL::DECIMAL(4, 3) AS ai_confidence_score,
    to_json({'text_tools': ai_tools, 'ai_commits': has_ai_commits, 'ai_review': has_ai_review,
             'ai_files': has_ai_files})::VARCHAR AS ai_signals,
    jira_key
FROM pr_out;
