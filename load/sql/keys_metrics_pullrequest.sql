-- The pull requests of a build's team, for the direct path's natural-key joins (``p`` in the
-- upserts).
SELECT p.id, p.team_id, p.github_repo, p.github_pr_id
FROM metrics_pullrequest AS p
JOIN teams_team AS t ON t.id = p.team_id
WHERE t.slug = %(slug)s;
