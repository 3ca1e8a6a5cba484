-- Simulated Jira issues (simulation.md §3.2), one per distinct key.
-- Key: parsed from the PR (title, then branch), else synthetic {KEY}-{n} with
-- n = repo position * 1,000,000 + PR number: stable per (repo, PR) and distinct across the repos
-- of a project (for PR numbers below one million). PRs sharing a key share the issue; its fields
-- come from the first of them (by ord), so later PRs never change it.
-- jira_id: 10000 + 48 bits of md5(key): stable per key whatever the PR list; a collision (odds
-- ~1e-5 at 100,000 keys) is broken by a -2, -3 suffix in key order.
CREATE OR REPLACE TABLE jira_src AS
SELECT
    p.*,
    CASE WHEN p.jira_key <> '' THEN p.jira_key
         ELSE coalesce(nullif((SELECT jira_project_key FROM params), ''), 'PROJ') || '-'
              || (rp.pos * 1000000 + p.number)
    END AS issue_key,
    [lower(x) FOR x IN p.labels] AS lower_labels,
    lower(p.title) AS lower_title
FROM pr_out p
JOIN repo_pos rp ON rp.repo = p.repo
QUALIFY row_number() OVER (PARTITION BY issue_key ORDER BY p.ord) = 1;

CREATE OR REPLACE TABLE out_metrics_jiraissue AS
WITH ids AS (
    SELECT *, (10000 + ('0x' || substr(md5('jira:' || issue_key), 1, 12))::BIGINT)::VARCHAR AS base_id
    FROM jira_src
), typed AS (
    SELECT *,
        -- First match wins. Words, not substrings: "prefix" and "fixture" are not bugs.
        CASE
            WHEN list_contains(lower_labels, 'bug')
                OR regexp_matches(lower_title, '\b(?:bug ?fix(?:es|ed)?|fix(?:es|ed|ing)?)\b') THEN 'Bug'
            WHEN list_contains(lower_labels, 'feature') OR regexp_matches(lower_title, '\bfeat(?:ure)?s?\b')
                THEN 'Story'
            WHEN list_contains(lower_labels, 'enhancement')
                OR regexp_matches(lower_title, '\b(?:improve[sd]?|improvements?|improving|refactor(?:s|ed|ing)?)\b')
                THEN 'Improvement'
            WHEN list_contains(lower_labels, 'chore') OR list_contains(lower_labels, 'task') THEN 'Task'
            WHEN u01('jira_type', k) < 0.50 THEN 'Story'
            WHEN u01('jira_type', k) < 0.75 THEN 'Task'
            WHEN u01('jira_type', k) < 0.95 THEN 'Bug'
            ELSE 'Improvement'
        END AS issue_type,
        CASE state_out
            WHEN 'merged' THEN 'Done'
            WHEN 'closed' THEN 'Won''t Do'
            ELSE ['To Do', 'In Progress', 'In Review'][randint('jira_status', k, 1, 3)]
        END AS status,
        floor(date_diff('day', DATE '2024-01-01', coalesce(merged_at, created_at)::DATE) / 14)::BIGINT + 1
            AS sprint_number
    FROM ids
)
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    issue_key AS jira_key,
    CASE WHEN row_number() OVER (PARTITION BY base_id ORDER BY issue_key) = 1 THEN base_id
         ELSE base_id || '-' || row_number() OVER (PARTITION BY base_id ORDER BY issue_key) END AS jira_id,
    left(title, 200) AS summary,
    issue_type,
    status,
    '' AS description,
    '[]' AS labels,
    '' AS priority,
    '' AS parent_issue_key,
    author_id::VARCHAR AS assignee_github_id,
    story_points_of(additions + deletions)::DECIMAL(5, 1) AS story_points,
    -- no known merge or creation time: no sprint
    coalesce(sprint_number::VARCHAR, '') AS sprint_id,
    coalesce('Sprint ' || sprint_number, '') AS sprint_name,
    created_at AS issue_created_at,
    merged_at AS resolved_at,
    cycle_time_hours
FROM typed;
