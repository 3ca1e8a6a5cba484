-- PR comments and the iteration metrics of metrics_pullrequest (issue 13 §2).
--
-- metrics_prcomment, as the app's comment sync stores it (yanchuk/tformance
-- apps/integrations/services/github_sync/processors.py): review comments (on the diff) get type
-- 'review' with path, line and in_reply_to_id; conversation comments get type 'issue' with those
-- NULL; the author is the GitHub account id (NULL for a deleted user; the load maps it to a member
-- or to NULL, as the app's lookup by github_id does). UNIQUE(team, github_comment_id): a comment
-- id seen twice (a review and an issue comment share an id space only in theory) is kept once,
-- first PR (by ord) wins, review before issue.
CREATE OR REPLACE TABLE out_metrics_prcomment AS
WITH all_comments AS (
    SELECT repo, pr_number, id, author_id, body, 'review' AS comment_type, path, line,
        in_reply_to_id, created_at, updated_at, 1 AS type_rank
    FROM snap_review_comments
    UNION ALL
    SELECT repo, pr_number, id, author_id, body, 'issue', NULL, NULL, NULL, created_at, updated_at, 2
    FROM snap_issue_comments
)
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    a.id AS github_comment_id,
    a.repo AS github_repo,
    a.pr_number AS github_pr_id,
    a.author_id::VARCHAR AS author_github_id,
    coalesce(a.body, '') AS body,
    a.comment_type,
    a.path,
    a.line::INTEGER AS line,
    a.in_reply_to_id,
    -- NOT NULL in the app: kept as GitHub gives it; the nullable update time drops a sentinel
    -- (known_at), as every other snapshot timestamp of the build
    a.created_at AS comment_created_at,
    known_at(a.updated_at) AS comment_updated_at
FROM all_comments a
JOIN pr p ON p.repo = a.repo AND p.number = a.pr_number
QUALIFY row_number() OVER (PARTITION BY a.id ORDER BY p.ord, a.type_rank) = 1;

-- Iteration metrics, with the app's definitions (calculate_pr_iteration_metrics in
-- apps/integrations/services/github_sync/metrics.py), over the rows the database holds for the
-- PR (its kept reviews and its commits, committed_at = author date):
--   total_comments = its comments (both types) + its reviews with a non-empty body;
--     NULL for a version-1 snapshot, which has no comments (params.has_comments);
--   commits_after_first_review = its commits strictly after its earliest submitted review (by
--     anyone, the author and bots included, as the app orders all reviews); 0 without reviews;
--   review_rounds = its changes_requested reviews followed by a commit; 0 if none;
--   avg_fix_response_hours = mean time from each such review to the first commit after it, in
--     hours, rounded to 2 places half away from zero on the exact mean (as cycle_time_hours; the
--     app rounds the float mean, which can differ by 0.01 on an exact tie); NULL if no round.
CREATE OR REPLACE TABLE pr_iteration AS
WITH first_review AS (
    SELECT github_repo, github_pr_id, min(submitted_at) AS first_at
    FROM out_metrics_prreview
    WHERE submitted_at IS NOT NULL
    GROUP BY ALL
), after_first AS (
    SELECT c.github_repo, c.github_pr_id, count(*) AS n
    FROM out_metrics_commit c
    JOIN first_review f ON f.github_repo = c.github_repo AND f.github_pr_id = c.github_pr_id
    WHERE c.committed_at > f.first_at
    GROUP BY ALL
), fixes AS (
    SELECT r.github_repo, r.github_pr_id, r.github_review_id, r.submitted_at,
        min(c.committed_at) AS fixed_at
    FROM out_metrics_prreview r
    JOIN out_metrics_commit c
        ON c.github_repo = r.github_repo AND c.github_pr_id = r.github_pr_id
        AND c.committed_at > r.submitted_at
    WHERE r.state = 'changes_requested' AND r.submitted_at IS NOT NULL
    GROUP BY ALL
), rounds AS (
    SELECT github_repo, github_pr_id, count(*) AS n,
        sum(epoch_us(fixed_at) - epoch_us(submitted_at))::HUGEINT AS us
    FROM fixes
    GROUP BY ALL
), comments AS (
    SELECT github_repo, github_pr_id, count(*) AS n FROM out_metrics_prcomment GROUP BY ALL
), review_texts AS (
    SELECT github_repo, github_pr_id, count(*) AS n FROM out_metrics_prreview WHERE body <> '' GROUP BY ALL
)
SELECT
    p.repo, p.number,
    CASE WHEN (SELECT has_comments FROM params) THEN coalesce(c.n, 0) + coalesce(t.n, 0) END AS total_comments,
    coalesce(a.n, 0) AS commits_after_first_review,
    coalesce(r.n, 0) AS review_rounds,
    -- hundredths of an hour of the exact mean, rounded half up (the mean is never negative)
    CASE WHEN r.n > 0 THEN
        (((200 * r.us + r.n * 3600000000) // (2 * r.n * 3600000000))::DECIMAL(18, 0) * 0.01)::DECIMAL(10, 2)
    END AS avg_fix_response_hours
FROM pr p
LEFT JOIN after_first a ON a.github_repo = p.repo AND a.github_pr_id = p.number
LEFT JOIN rounds r ON r.github_repo = p.repo AND r.github_pr_id = p.number
LEFT JOIN comments c ON c.github_repo = p.repo AND c.github_pr_id = p.number
LEFT JOIN review_texts t ON t.github_repo = p.repo AND t.github_pr_id = p.number;

CREATE OR REPLACE TABLE out_metrics_pullrequest AS
SELECT o.* REPLACE (
    i.review_rounds::INTEGER AS review_rounds,
    i.avg_fix_response_hours AS avg_fix_response_hours,
    i.commits_after_first_review::INTEGER AS commits_after_first_review,
    i.total_comments::INTEGER AS total_comments
)
FROM out_metrics_pullrequest o
JOIN pr_iteration i ON i.repo = o.github_repo AND i.number = o.github_pr_id;
