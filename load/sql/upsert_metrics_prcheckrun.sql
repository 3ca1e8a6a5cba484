-- Check runs by unique_team_check_run (team, github_check_run_id).
-- conflict: (team_id, github_check_run_id)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, s.github_check_run_id,
       p.id AS pull_request_id, s.name, s.status, s.conclusion, s.started_at, s.completed_at,
       s.duration_seconds
FROM stg_metrics_prcheckrun AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
