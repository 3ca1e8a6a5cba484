-- Reviews by the partial unique index unique_team_review (team, github_review_id).
-- conflict: (team_id, github_review_id) WHERE github_review_id IS NOT NULL
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, s.github_review_id,
       p.id AS pull_request_id, m.id AS reviewer_id, s.state, s.body, s.submitted_at,
       s.is_ai_review, s.ai_reviewer_type
FROM stg_metrics_prreview AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.reviewer_github_id AND m.github_id > ''
