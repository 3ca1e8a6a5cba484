-- Surveys by their one-to-one pull request. created_at is data here (when the survey was sent,
-- survey_created_at in the build), so it is compared and updated like any other column.
-- token, token_expires_at and github_comment_id stay NULL: the app fills them.
-- conflict: (pull_request_id)
SELECT s.survey_created_at AS created_at, now() AS updated_at, t.id AS team_id,
       p.id AS pull_request_id, m.id AS author_id, s.author_ai_assisted, s.author_responded_at,
       s.author_response_source, s.ai_modification_effort
FROM stg_metrics_prsurvey AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
