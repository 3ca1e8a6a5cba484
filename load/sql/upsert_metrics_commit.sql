-- Commits by unique_team_commit (team, github_sha). The PR link is optional (SET_NULL).
WITH up AS (
    INSERT INTO metrics_commit AS d (
        created_at, updated_at, team_id, github_sha, github_repo, author_id, message,
        committed_at, additions, deletions, pull_request_id, is_ai_assisted, ai_co_authors
    )
    SELECT now(), now(), t.id, s.github_sha, s.github_repo, m.id, s.message, s.committed_at,
           s.additions, s.deletions, p.id, s.is_ai_assisted, s.ai_co_authors
    FROM stg_metrics_commit AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
    ON CONFLICT (team_id, github_sha) DO UPDATE
        SET github_repo = EXCLUDED.github_repo, author_id = EXCLUDED.author_id,
            message = EXCLUDED.message, committed_at = EXCLUDED.committed_at,
            additions = EXCLUDED.additions, deletions = EXCLUDED.deletions,
            pull_request_id = EXCLUDED.pull_request_id, is_ai_assisted = EXCLUDED.is_ai_assisted,
            ai_co_authors = EXCLUDED.ai_co_authors, updated_at = EXCLUDED.updated_at
        WHERE (d.github_repo, d.author_id, d.message, d.committed_at, d.additions, d.deletions,
               d.pull_request_id, d.is_ai_assisted, d.ai_co_authors)
              IS DISTINCT FROM
              (EXCLUDED.github_repo, EXCLUDED.author_id, EXCLUDED.message, EXCLUDED.committed_at,
               EXCLUDED.additions, EXCLUDED.deletions, EXCLUDED.pull_request_id,
               EXCLUDED.is_ai_assisted, EXCLUDED.ai_co_authors)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
