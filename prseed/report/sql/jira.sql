-- Simulated Jira issues by type.
SELECT issue_type, count(*) AS issues
FROM b_jiraissue
GROUP BY ALL
ORDER BY issues DESC, issue_type;
