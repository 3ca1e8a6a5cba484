-- Jira issues by unique_team_jira_issue (team, jira_id), the database's constraint (the old
-- seeder looked them up by jira_key instead).
-- conflict: (team_id, jira_id)
SELECT now() AS created_at, now() AS updated_at, now() AS synced_at, t.id AS team_id, s.jira_key,
       s.jira_id, s.summary, s.issue_type, s.status, s.description, s.labels, s.priority,
       s.parent_issue_key, m.id AS assignee_id, s.story_points, s.sprint_id, s.sprint_name,
       s.issue_created_at, s.resolved_at, s.cycle_time_hours
FROM stg_metrics_jiraissue AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.assignee_github_id AND m.github_id > ''
