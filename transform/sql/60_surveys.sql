-- Simulated PR surveys and survey reviews (simulation.md §3.3) for merged PRs whose author is
-- a human member (bots and deleted users are not surveyed). Every draw is keyed by the PR
-- (repo#number) or by (PR, reviewer id); times are anchored to merged_at, never to the clock.
CREATE OR REPLACE TABLE survey AS
WITH code_files AS (
    SELECT github_repo AS repo, github_pr_id AS number, count(*) AS n
    FROM out_metrics_prfile
    WHERE regexp_extract(lower(filename), '\.([^./]*)$', 1) IN
        ('py', 'js', 'ts', 'tsx', 'jsx', 'go', 'rs', 'java', 'cpp', 'c', 'rb', 'swift', 'kt', 'scala', 'php')
    GROUP BY ALL
), base AS (
    SELECT p.repo, p.number, p.k, p.author_id, p.merged_at,
        least(
            (SELECT ai_rate FROM params)
            + CASE WHEN p.additions + p.deletions > 300 THEN 0.15
                   WHEN p.additions + p.deletions > 150 THEN 0.08 ELSE 0 END
            + CASE WHEN coalesce(cf.n, 0) > 5 THEN 0.10 WHEN coalesce(cf.n, 0) > 3 THEN 0.05 ELSE 0 END,
            0.85) AS p_ai
    FROM pr_out p
    JOIN members m ON m.id = p.author_id AND m.is_active
    LEFT JOIN code_files cf ON cf.repo = p.repo AND cf.number = p.number
    WHERE p.merged_at IS NOT NULL
)
SELECT *,
    u01('survey_ai', k) < p_ai AS actual_ai,
    u01('survey_author', k) < (SELECT survey_rate FROM params) AS author_responded
FROM base;

CREATE OR REPLACE TABLE out_metrics_prsurvey AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    repo AS github_repo,
    number AS github_pr_id,
    author_id::VARCHAR AS author_github_id,
    CASE WHEN author_responded THEN actual_ai END AS author_ai_assisted,
    CASE WHEN author_responded THEN merged_at + to_hours(randint('survey_author_delay', k, 1, 48)) END
        AS author_responded_at,
    NULL::VARCHAR AS author_response_source,
    NULL::VARCHAR AS ai_modification_effort,
    merged_at AS survey_created_at
FROM survey;

-- Reviewers: distinct human members with a kept (non-pending) review, except the author;
-- about 70 % respond.
CREATE OR REPLACE TABLE survey_review AS
WITH reviewers AS (
    SELECT DISTINCT s.repo, s.number, s.k, s.author_id, s.merged_at, s.actual_ai, s.author_responded,
        rv.reviewer_id, s.k || ':' || rv.reviewer_id AS rk
    FROM survey s
    JOIN rv ON rv.repo = s.repo AND rv.pr_number = s.number
    JOIN members m ON m.id = rv.reviewer_id AND m.is_active
    WHERE rv.reviewer_id <> s.author_id
), answered AS (
    SELECT *,
        CASE WHEN u01('sr_quality', rk) < 0.50 THEN 3 WHEN u01('sr_quality', rk) < 0.85 THEN 2 ELSE 1 END
            AS quality_rating,
        CASE WHEN u01('sr_guess', rk) < 0.60 + 0.15 * u01('sr_accuracy', rk) THEN actual_ai
             ELSE NOT actual_ai END AS ai_guess
    FROM reviewers
    WHERE u01('sr_respond', rk) <= 0.7
)
SELECT *,
    CASE WHEN author_responded THEN ai_guess = actual_ai END AS guess_correct,
    merged_at + to_hours(randint('sr_delay', rk, 1, 72)) AS responded_at
FROM answered;

CREATE OR REPLACE TABLE out_metrics_prsurveyreview AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    repo AS github_repo,
    number AS github_pr_id,
    reviewer_id::VARCHAR AS reviewer_github_id,
    quality_rating::INTEGER AS quality_rating,
    ai_guess,
    guess_correct,
    responded_at,
    NULL::VARCHAR AS response_source,
    NULL::INTEGER AS feedback_clarity,
    NULL::INTEGER AS review_burden
FROM survey_review;
