-- Commits by unique_team_commit (team, github_sha). The PR link is optional (SET_NULL).
-- conflict: (team_id, github_sha)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, s.github_sha, s.github_repo,
       m.id AS author_id, s.message, s.committed_at, s.additions, s.deletions,
       p.id AS pull_request_id, s.is_ai_assisted, s.ai_co_authors
FROM stg_metrics_commit AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
