-- Check runs by unique_team_check_run (team, github_check_run_id).
WITH up AS (
    INSERT INTO metrics_prcheckrun AS d (
        created_at, updated_at, team_id, github_check_run_id, pull_request_id, name, status,
        conclusion, started_at, completed_at, duration_seconds
    )
    SELECT now(), now(), t.id, s.github_check_run_id, p.id, s.name, s.status, s.conclusion,
           s.started_at, s.completed_at, s.duration_seconds
    FROM stg_metrics_prcheckrun AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    ON CONFLICT (team_id, github_check_run_id) DO UPDATE
        SET pull_request_id = EXCLUDED.pull_request_id, name = EXCLUDED.name,
            status = EXCLUDED.status, conclusion = EXCLUDED.conclusion,
            started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
            duration_seconds = EXCLUDED.duration_seconds, updated_at = EXCLUDED.updated_at
        WHERE (d.pull_request_id, d.name, d.status, d.conclusion, d.started_at, d.completed_at,
               d.duration_seconds)
              IS DISTINCT FROM
              (EXCLUDED.pull_request_id, EXCLUDED.name, EXCLUDED.status, EXCLUDED.conclusion,
               EXCLUDED.started_at, EXCLUDED.completed_at, EXCLUDED.duration_seconds)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
