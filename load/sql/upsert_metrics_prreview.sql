-- Reviews by the partial unique index unique_team_review (team, github_review_id).
WITH up AS (
    INSERT INTO metrics_prreview AS d (
        created_at, updated_at, team_id, github_review_id, pull_request_id, reviewer_id, state,
        body, submitted_at, is_ai_review, ai_reviewer_type
    )
    SELECT now(), now(), t.id, s.github_review_id, p.id, m.id, s.state, s.body, s.submitted_at,
           s.is_ai_review, s.ai_reviewer_type
    FROM stg_metrics_prreview AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.reviewer_github_id AND m.github_id > ''
    ON CONFLICT (team_id, github_review_id) WHERE github_review_id IS NOT NULL DO UPDATE
        SET pull_request_id = EXCLUDED.pull_request_id, reviewer_id = EXCLUDED.reviewer_id,
            state = EXCLUDED.state, body = EXCLUDED.body, submitted_at = EXCLUDED.submitted_at,
            is_ai_review = EXCLUDED.is_ai_review, ai_reviewer_type = EXCLUDED.ai_reviewer_type,
            updated_at = EXCLUDED.updated_at
        WHERE (d.pull_request_id, d.reviewer_id, d.state, d.body, d.submitted_at,
               d.is_ai_review, d.ai_reviewer_type)
              IS DISTINCT FROM
              (EXCLUDED.pull_request_id, EXCLUDED.reviewer_id, EXCLUDED.state, EXCLUDED.body,
               EXCLUDED.submitted_at, EXCLUDED.is_ai_review, EXCLUDED.ai_reviewer_type)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
