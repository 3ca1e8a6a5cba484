-- PRs created per ISO week (Monday, UTC) and how many the transform found AI-assisted.
SELECT
    date_trunc('week', pr_created_at)::DATE AS week,
    count(*) AS prs,
    count(*) FILTER (WHERE is_ai_assisted) AS ai
FROM b_pullrequest
GROUP BY week
ORDER BY week;
