-- Jira issues by unique_team_jira_issue (team, jira_id), the database's constraint (the old
-- seeder looked them up by jira_key instead).
WITH up AS (
    INSERT INTO metrics_jiraissue AS d (
        created_at, updated_at, synced_at, team_id, jira_key, jira_id, summary, issue_type,
        status, description, labels, priority, parent_issue_key, assignee_id, story_points,
        sprint_id, sprint_name, issue_created_at, resolved_at, cycle_time_hours
    )
    SELECT now(), now(), now(), t.id, s.jira_key, s.jira_id, s.summary, s.issue_type, s.status,
           s.description, s.labels, s.priority, s.parent_issue_key, m.id, s.story_points,
           s.sprint_id, s.sprint_name, s.issue_created_at, s.resolved_at, s.cycle_time_hours
    FROM stg_metrics_jiraissue AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.assignee_github_id AND m.github_id > ''
    ON CONFLICT (team_id, jira_id) DO UPDATE
        SET jira_key = EXCLUDED.jira_key, summary = EXCLUDED.summary,
            issue_type = EXCLUDED.issue_type, status = EXCLUDED.status,
            description = EXCLUDED.description, labels = EXCLUDED.labels,
            priority = EXCLUDED.priority, parent_issue_key = EXCLUDED.parent_issue_key,
            assignee_id = EXCLUDED.assignee_id, story_points = EXCLUDED.story_points,
            sprint_id = EXCLUDED.sprint_id, sprint_name = EXCLUDED.sprint_name,
            issue_created_at = EXCLUDED.issue_created_at, resolved_at = EXCLUDED.resolved_at,
            cycle_time_hours = EXCLUDED.cycle_time_hours, updated_at = EXCLUDED.updated_at,
            synced_at = EXCLUDED.synced_at
        WHERE (d.jira_key, d.summary, d.issue_type, d.status, d.description, d.labels,
               d.priority, d.parent_issue_key, d.assignee_id, d.story_points, d.sprint_id,
               d.sprint_name, d.issue_created_at, d.resolved_at, d.cycle_time_hours)
              IS DISTINCT FROM
              (EXCLUDED.jira_key, EXCLUDED.summary, EXCLUDED.issue_type, EXCLUDED.status,
               EXCLUDED.description, EXCLUDED.labels, EXCLUDED.priority,
               EXCLUDED.parent_issue_key, EXCLUDED.assignee_id, EXCLUDED.story_points,
               EXCLUDED.sprint_id, EXCLUDED.sprint_name, EXCLUDED.issue_created_at,
               EXCLUDED.resolved_at, EXCLUDED.cycle_time_hours)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
