-- Members by (team, github_id), the partial unique index unique_team_github_id.
-- copilot_last_activity_at / copilot_last_editor are NULL on insert and left to the app.
-- before_upsert_metrics_teammember.sql has freed the addresses other members of the build held;
-- an address held by a member the loader does not manage (no github_id) is left to it, and the
-- incoming member takes GitHub's noreply form instead.
-- conflict: (team_id, github_id) WHERE github_id > ''
SELECT now() AS created_at,
       now() AS updated_at,
       t.id AS team_id,
       CASE WHEN EXISTS (SELECT 1 FROM metrics_teammember AS o
                         WHERE o.team_id = t.id AND o.github_id = '' AND lower(o.email) = lower(s.email))
            THEN left(s.github_id || '+' || s.github_username || '@users.noreply.github.com', 254)
            ELSE s.email END AS email,
       s.display_name,
       s.github_username,
       s.github_id,
       s.jira_account_id,
       s.slack_user_id,
       s.role,
       s.is_active
FROM stg_metrics_teammember AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
