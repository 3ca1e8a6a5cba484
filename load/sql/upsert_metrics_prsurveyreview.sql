-- Survey reviews by unique_survey_reviewer (survey, reviewer). The reviewer is part of the key,
-- and a NULL reviewer would never conflict (duplicates on every reload), so rows whose reviewer
-- is not a member of the team are skipped and counted instead of loaded.
WITH src AS (
    SELECT t.id AS team_id, v.id AS survey_id, m.id AS reviewer_id, s.*
    FROM stg_metrics_prsurveyreview AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_prsurvey AS v ON v.pull_request_id = p.id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.reviewer_github_id AND m.github_id > ''
), up AS (
    INSERT INTO metrics_prsurveyreview AS d (
        created_at, updated_at, team_id, survey_id, reviewer_id, quality_rating, ai_guess,
        guess_correct, responded_at, response_source, feedback_clarity, review_burden
    )
    SELECT now(), now(), src.team_id, src.survey_id, src.reviewer_id, src.quality_rating,
           src.ai_guess, src.guess_correct, src.responded_at, src.response_source,
           src.feedback_clarity, src.review_burden
    FROM src
    WHERE src.reviewer_id IS NOT NULL
    ON CONFLICT (survey_id, reviewer_id) DO UPDATE
        SET quality_rating = EXCLUDED.quality_rating, ai_guess = EXCLUDED.ai_guess,
            guess_correct = EXCLUDED.guess_correct, responded_at = EXCLUDED.responded_at,
            response_source = EXCLUDED.response_source,
            feedback_clarity = EXCLUDED.feedback_clarity,
            review_burden = EXCLUDED.review_burden, updated_at = EXCLUDED.updated_at
        WHERE (d.quality_rating, d.ai_guess, d.guess_correct, d.responded_at,
               d.response_source, d.feedback_clarity, d.review_burden)
              IS DISTINCT FROM
              (EXCLUDED.quality_rating, EXCLUDED.ai_guess, EXCLUDED.guess_correct,
               EXCLUDED.responded_at, EXCLUDED.response_source, EXCLUDED.feedback_clarity,
               EXCLUDED.review_burden)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
       (SELECT count(*) FROM src WHERE src.reviewer_id IS NULL)
FROM up;
