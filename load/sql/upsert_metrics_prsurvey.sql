-- Surveys by their one-to-one pull request. created_at is data here (when the survey was sent,
-- survey_created_at in the build), so it is compared and updated like any other column.
-- token, token_expires_at and github_comment_id stay NULL: the app fills them.
WITH up AS (
    INSERT INTO metrics_prsurvey AS d (
        created_at, updated_at, team_id, pull_request_id, author_id, author_ai_assisted,
        author_responded_at, author_response_source, ai_modification_effort
    )
    SELECT s.survey_created_at, now(), t.id, p.id, m.id, s.author_ai_assisted,
           s.author_responded_at, s.author_response_source, s.ai_modification_effort
    FROM stg_metrics_prsurvey AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
    ON CONFLICT (pull_request_id) DO UPDATE
        SET created_at = EXCLUDED.created_at, author_id = EXCLUDED.author_id,
            author_ai_assisted = EXCLUDED.author_ai_assisted,
            author_responded_at = EXCLUDED.author_responded_at,
            author_response_source = EXCLUDED.author_response_source,
            ai_modification_effort = EXCLUDED.ai_modification_effort,
            updated_at = EXCLUDED.updated_at
        WHERE (d.created_at, d.author_id, d.author_ai_assisted, d.author_responded_at,
               d.author_response_source, d.ai_modification_effort)
              IS DISTINCT FROM
              (EXCLUDED.created_at, EXCLUDED.author_id, EXCLUDED.author_ai_assisted,
               EXCLUDED.author_responded_at, EXCLUDED.author_response_source,
               EXCLUDED.ai_modification_effort)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
