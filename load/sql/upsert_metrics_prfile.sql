-- Files by unique_team_pr_file (team, pull_request, filename).
-- conflict: (team_id, pull_request_id, filename)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, p.id AS pull_request_id,
       s.filename, s.status, s.additions, s.deletions, s.changes, s.file_category
FROM stg_metrics_prfile AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
