-- Daily AI usage by unique_team_member_date_source (team, member, date, source).
WITH up AS (
    INSERT INTO metrics_aiusagedaily AS d (
        created_at, updated_at, synced_at, team_id, member_id, date, source, active_hours,
        suggestions_shown, suggestions_accepted, acceptance_rate
    )
    SELECT now(), now(), now(), t.id, m.id, s.date, s.source, s.active_hours,
           s.suggestions_shown, s.suggestions_accepted, s.acceptance_rate
    FROM stg_metrics_aiusagedaily AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.member_github_id AND m.github_id > ''
    ON CONFLICT (team_id, member_id, date, source) DO UPDATE
        SET active_hours = EXCLUDED.active_hours, suggestions_shown = EXCLUDED.suggestions_shown,
            suggestions_accepted = EXCLUDED.suggestions_accepted,
            acceptance_rate = EXCLUDED.acceptance_rate, updated_at = EXCLUDED.updated_at,
            synced_at = EXCLUDED.synced_at
        WHERE (d.active_hours, d.suggestions_shown, d.suggestions_accepted, d.acceptance_rate)
              IS DISTINCT FROM
              (EXCLUDED.active_hours, EXCLUDED.suggestions_shown, EXCLUDED.suggestions_accepted,
               EXCLUDED.acceptance_rate)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
