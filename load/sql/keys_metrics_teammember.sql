-- The members of a build's team, for the direct path's natural-key joins (``m`` in the upserts).
SELECT m.id, m.team_id, m.github_id
FROM metrics_teammember AS m
JOIN teams_team AS t ON t.id = m.team_id
WHERE t.slug = %(slug)s;
