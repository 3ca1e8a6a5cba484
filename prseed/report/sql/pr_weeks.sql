-- Each PR's creation week (Monday, UTC), to place snapshot-diff changes on the weekly axis.
SELECT repo, number, date_trunc('week', created_at)::DATE AS week
FROM s_pull_requests
ORDER BY repo, number;
