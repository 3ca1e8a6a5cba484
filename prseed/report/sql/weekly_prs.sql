-- PRs opened (created_at), merged (merged_at) and closed without merging (closed_at) per
-- ISO week (Monday, UTC). Only weeks with an event; the caller fills the gaps.
WITH events AS (
    SELECT date_trunc('week', created_at)::DATE AS week, 'opened' AS kind FROM s_pull_requests
    UNION ALL
    SELECT date_trunc('week', merged_at)::DATE, 'merged' FROM s_pull_requests WHERE merged_at IS NOT NULL
    UNION ALL
    SELECT date_trunc('week', closed_at)::DATE, 'closed' FROM s_pull_requests
    WHERE closed_at IS NOT NULL AND merged_at IS NULL
)
SELECT
    week,
    count(*) FILTER (WHERE kind = 'opened') AS opened,
    count(*) FILTER (WHERE kind = 'merged') AS merged,
    count(*) FILTER (WHERE kind = 'closed') AS closed
FROM events
GROUP BY week
ORDER BY week;
