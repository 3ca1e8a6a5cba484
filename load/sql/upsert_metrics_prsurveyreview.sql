-- Survey reviews by unique_survey_reviewer (survey, reviewer). The reviewer is part of the key,
-- and a NULL reviewer would never conflict (duplicates on every reload), so rows whose reviewer
-- is not a member of the team are skipped (the WHERE) and counted instead of loaded.
-- conflict: (survey_id, reviewer_id)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, v.id AS survey_id,
       m.id AS reviewer_id, s.quality_rating, s.ai_guess, s.guess_correct, s.responded_at,
       s.response_source, s.feedback_clarity, s.review_burden
FROM stg_metrics_prsurveyreview AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
LEFT JOIN metrics_prsurvey AS v ON v.pull_request_id = p.id
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.reviewer_github_id AND m.github_id > ''
WHERE m.id IS NOT NULL
