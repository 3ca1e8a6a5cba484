-- Members by (team, github_id), the partial unique index unique_team_github_id.
-- copilot_last_activity_at / copilot_last_editor are NULL on insert and left to the app.
-- before_upsert_metrics_teammember.sql has freed the addresses other members of the build held;
-- an address held by a member the loader does not manage (no github_id) is left to it, and the
-- incoming member takes GitHub's noreply form instead.
WITH up AS (
    INSERT INTO metrics_teammember AS d (
        created_at, updated_at, team_id, email, display_name, github_username, github_id,
        jira_account_id, slack_user_id, role, is_active
    )
    SELECT now(), now(), t.id,
           CASE WHEN EXISTS (SELECT 1 FROM metrics_teammember AS o
                             WHERE o.team_id = t.id AND o.github_id = '' AND lower(o.email) = lower(s.email))
                THEN left(s.github_id || '+' || s.github_username || '@users.noreply.github.com', 254)
                ELSE s.email END,
           s.display_name, s.github_username, s.github_id,
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
