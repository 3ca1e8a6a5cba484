-- Weekly metrics per active member and ISO week (Monday), simulation.md §3.4 with every field.
-- Window: merged/committed/resolved/responded dates in [Monday on or before as_of - days_back,
-- as_of]. A row exists when the member has any event that week. Event weeks:
--   prs_merged, avg cycle/review time, ai_assisted_prs (regex detection), revert_count,
--   hotfix_count: the member's merged PRs, by merged_at;
--   commits_count, lines_added/removed: the member's commits, by committed_at (author date);
--   story_points_completed, issues_resolved: Jira issues assigned to the member, by resolved_at;
--   avg_quality_rating: quality ratings received on the member's PRs, by survey_created_at;
--   surveys_completed: survey answers the member gave (as author or reviewer), by answer time;
--   guess_accuracy: percent of the member's AI guesses (as reviewer) that were right, by answer
--   time, over the guesses that could be judged (author disclosed).
-- Averages are an exact decimal sum divided once, so thread scheduling cannot change a digit.
CREATE OR REPLACE TABLE out_metrics_weeklymetrics AS
WITH win AS (
    SELECT date_trunc('week', as_of - days_back)::DATE AS lo, as_of AS hi FROM params
), ev AS (
    SELECT author_id AS id, date_trunc('week', merged_at)::DATE AS week,
        1 AS prs, cycle_time_hours AS cyc, review_time_hours AS rev, (len(ai_tools) > 0)::INT AS ai,
        is_revert::INT AS reverts, is_hotfix::INT AS hotfixes,
        0 AS commits, 0 AS added, 0 AS removed, 0::DECIMAL(10, 1) AS points, 0 AS resolved,
        NULL::INTEGER AS quality, 0 AS surveys, NULL::INTEGER AS correct
    FROM pr_out, win
    WHERE merged_at IS NOT NULL AND merged_at::DATE BETWEEN win.lo AND win.hi
    UNION ALL
    SELECT author_github_id::BIGINT, date_trunc('week', committed_at)::DATE,
        0, NULL, NULL, 0, 0, 0, 1, additions, deletions, 0, 0, NULL, 0, NULL
    FROM out_metrics_commit, win
    WHERE committed_at::DATE BETWEEN win.lo AND win.hi
    UNION ALL
    SELECT assignee_github_id::BIGINT, date_trunc('week', resolved_at)::DATE,
        0, NULL, NULL, 0, 0, 0, 0, 0, 0, story_points, 1, NULL, 0, NULL
    FROM out_metrics_jiraissue, win
    WHERE resolved_at::DATE BETWEEN win.lo AND win.hi
    UNION ALL
    SELECT author_id, date_trunc('week', merged_at)::DATE,
        0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, quality_rating, 0, NULL
    FROM survey_review, win
    WHERE merged_at::DATE BETWEEN win.lo AND win.hi
    UNION ALL
    SELECT reviewer_id, date_trunc('week', responded_at)::DATE,
        0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1, guess_correct::INT
    FROM survey_review, win
    WHERE responded_at::DATE BETWEEN win.lo AND win.hi
    UNION ALL
    SELECT author_github_id::BIGINT, date_trunc('week', author_responded_at)::DATE,
        0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1, NULL
    FROM out_metrics_prsurvey, win
    WHERE author_responded_at::DATE BETWEEN win.lo AND win.hi
), agg AS (
    SELECT
        id, week,
        sum(prs) AS prs_merged,
        sum(cyc) AS cyc_sum, count(cyc) AS cyc_n,
        sum(rev) AS rev_sum, count(rev) AS rev_n,
        sum(commits) AS commits_count,
        sum(added) AS lines_added,
        sum(removed) AS lines_removed,
        sum(reverts) AS revert_count,
        sum(hotfixes) AS hotfix_count,
        sum(points) AS story_points_completed,
        sum(resolved) AS issues_resolved,
        sum(ai) AS ai_assisted_prs,
        sum(quality) AS q_sum, count(quality) AS q_n,
        sum(surveys) AS surveys_completed,
        sum(correct) AS g_sum, count(correct) AS g_n
    FROM ev
    WHERE id IS NOT NULL
    GROUP BY id, week
)
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    m.github_id AS member_github_id,
    a.week AS week_start,
    a.prs_merged::INTEGER AS prs_merged,
    CASE WHEN a.cyc_n > 0 THEN round(a.cyc_sum / a.cyc_n, 2) END::DECIMAL(10, 2) AS avg_cycle_time_hours,
    CASE WHEN a.rev_n > 0 THEN round(a.rev_sum / a.rev_n, 2) END::DECIMAL(10, 2) AS avg_review_time_hours,
    a.commits_count::INTEGER AS commits_count,
    a.lines_added::INTEGER AS lines_added,
    a.lines_removed::INTEGER AS lines_removed,
    a.revert_count::INTEGER AS revert_count,
    a.hotfix_count::INTEGER AS hotfix_count,
    a.story_points_completed::DECIMAL(10, 1) AS story_points_completed,
    a.issues_resolved::INTEGER AS issues_resolved,
    a.ai_assisted_prs::INTEGER AS ai_assisted_prs,
    CASE WHEN a.q_n > 0 THEN round(a.q_sum / a.q_n, 2) END::DECIMAL(3, 2) AS avg_quality_rating,
    a.surveys_completed::INTEGER AS surveys_completed,
    CASE WHEN a.g_n > 0 THEN round(100 * a.g_sum / a.g_n, 2) END::DECIMAL(5, 2) AS guess_accuracy
FROM agg a
JOIN members m ON m.id = a.id AND m.is_active;
