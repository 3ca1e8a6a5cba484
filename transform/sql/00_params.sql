-- The run's parameters, bound from Python ($name): one row, read by every later step.
CREATE OR REPLACE TABLE params AS
SELECT
    $seed::BIGINT AS seed,
    $as_of::DATE AS as_of,
    $extracted_at::TIMESTAMPTZ AS extracted_at,
    $days_back::INTEGER AS days_back,
    $team_slug::VARCHAR AS team_slug,
    $team_name::VARCHAR AS team_name,
    $jira_project_key::VARCHAR AS jira_project_key,
    $ai_base_adoption_rate::DOUBLE AS ai_rate,
    $survey_response_rate::DOUBLE AS survey_rate,
    $repos::VARCHAR[] AS repos,
    -- false for a version-1 snapshot (no comment tables): comment-derived values stay NULL
    $has_comments::BOOLEAN AS has_comments;

-- The seed, the project's Jira key and repos and the extraction time also as variables, so the u01(),
-- jira_key_of() and known_at() macros need no join.
SET VARIABLE seed = (SELECT seed FROM params);
SET VARIABLE jira_key = (SELECT jira_project_key FROM params);
SET VARIABLE repos = (SELECT repos FROM params);
SET VARIABLE extracted_at = (SELECT extracted_at FROM params);
