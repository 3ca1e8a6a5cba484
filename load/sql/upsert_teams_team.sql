-- Teams by slug. Only the name comes from the build; every other NOT NULL column gets the
-- app's model default on insert and is never touched again (the app owns it afterwards).
WITH up AS (
    INSERT INTO teams_team AS d (
        created_at, updated_at, name, slug, onboarding_complete, onboarding_pipeline_status,
        background_sync_progress, background_llm_progress, copilot_status,
        copilot_consecutive_failures, copilot_price_tier, billing_details_last_changed
    )
    SELECT now(), now(), s.name, s.slug, true, 'not_started', 0, 0, 'disabled', 0, 'business', now()
    FROM stg_teams_team AS s
    ON CONFLICT (slug) DO UPDATE
        SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
        WHERE d.name IS DISTINCT FROM EXCLUDED.name
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
