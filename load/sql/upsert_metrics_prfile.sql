-- Files by unique_team_pr_file (team, pull_request, filename).
WITH up AS (
    INSERT INTO metrics_prfile AS d (
        created_at, updated_at, team_id, pull_request_id, filename, status, additions,
        deletions, changes, file_category
    )
    SELECT now(), now(), t.id, p.id, s.filename, s.status, s.additions, s.deletions, s.changes,
           s.file_category
    FROM stg_metrics_prfile AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    ON CONFLICT (team_id, pull_request_id, filename) DO UPDATE
        SET status = EXCLUDED.status, additions = EXCLUDED.additions,
            deletions = EXCLUDED.deletions, changes = EXCLUDED.changes,
            file_category = EXCLUDED.file_category, updated_at = EXCLUDED.updated_at
        WHERE (d.status, d.additions, d.deletions, d.changes, d.file_category)
              IS DISTINCT FROM
              (EXCLUDED.status, EXCLUDED.additions, EXCLUDED.deletions, EXCLUDED.changes,
               EXCLUDED.file_category)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
