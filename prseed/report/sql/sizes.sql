-- PR size: lines changed (additions + deletions) and files changed, one row per PR.
SELECT additions + deletions AS lines, changed_files AS files
FROM s_pull_requests
ORDER BY repo, number;
