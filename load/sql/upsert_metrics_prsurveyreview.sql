-- Survey reviews by unique_survey_reviewer (survey, reviewer). The reviewer is part of the key,
-- and a NULL reviewer would never conflict (duplicates on every reload), so rows whose reviewer
-- is not a member of the team are skipped (the WHERE) and counted instead of loaded.
-- conflict: (survey_id, reviewer_id)
WITH resolved AS MATERIALIZED (
    -- Keys resolved first, then filtered: inlined, the WHERE would turn the member join into an
    -- inner join, which the planner (no statistics on the staging table) runs as nested loops,
    -- measured twice as slow as these hash joins.
    SELECT t.id AS team_id, v.id AS survey_id, m.id AS reviewer_id, s.*
    FROM stg_metrics_prsurveyreview AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_prsurvey AS v ON v.pull_request_id = p.id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.reviewer_github_id AND m.github_id > ''
)
SELECT now() AS created_at, now() AS updated_at, r.team_id, r.survey_id, r.reviewer_id,
       r.quality_rating, r.ai_guess, r.guess_correct, r.responded_at, r.response_source,
       r.feedback_clarity, r.review_burden
FROM resolved AS r
WHERE r.reviewer_id IS NOT NULL
