-- Teams by slug. Only the name comes from the build; every other NOT NULL column gets the
-- app's model default on insert and is never touched again (the app owns it afterwards).
-- conflict: (slug)
SELECT now() AS created_at, now() AS updated_at, s.name, s.slug, true AS onboarding_complete,
       'not_started' AS onboarding_pipeline_status, 0 AS background_sync_progress,
       0 AS background_llm_progress, 'disabled' AS copilot_status,
       0 AS copilot_consecutive_failures, 'business' AS copilot_price_tier,
       now() AS billing_details_last_changed
FROM stg_teams_team AS s
