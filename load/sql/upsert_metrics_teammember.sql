-- Members by (team, github_id), the partial unique index unique_team_github_id.
-- copilot_last_activity_at / copilot_last_editor are NULL on insert and left to the app.
WITH up AS (
    INSERT INTO metrics_teammember AS d (
        created_at, updated_at, team_id, email, display_name, github_username, github_id,
        jira_account_id, slack_user_id, role, is_active
    )
    SELECT now(), now(), t.id, s.email, s.display_name, s.github_username, s.github_id,
           s.jira_account_id, s.slack_user_id, s.role, s.is_active
    FROM stg_metrics_teammember AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    ON CONFLICT (team_id, github_id) WHERE github_id > '' DO UPDATE
        SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
            github_username = EXCLUDED.github_username,
            jira_account_id = EXCLUDED.jira_account_id, slack_user_id = EXCLUDED.slack_user_id,
            role = EXCLUDED.role, is_active = EXCLUDED.is_active,
            updated_at = EXCLUDED.updated_at
        WHERE (d.email, d.display_name, d.github_username, d.jira_account_id, d.slack_user_id,
               d.role, d.is_active)
              IS DISTINCT FROM
              (EXCLUDED.email, EXCLUDED.display_name, EXCLUDED.github_username,
               EXCLUDED.jira_account_id, EXCLUDED.slack_user_id, EXCLUDED.role, EXCLUDED.is_active)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
