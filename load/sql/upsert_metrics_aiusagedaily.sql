-- Daily AI usage by unique_team_member_date_source (team, member, date, source).
-- conflict: (team_id, member_id, date, source)
SELECT now() AS created_at, now() AS updated_at, now() AS synced_at, t.id AS team_id,
       m.id AS member_id, s.date, s.source, s.active_hours, s.suggestions_shown,
       s.suggestions_accepted, s.acceptance_rate
FROM stg_metrics_aiusagedaily AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.member_github_id AND m.github_id > ''
