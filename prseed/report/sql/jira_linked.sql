-- Real side of the Jira link: PRs whose title or branch carries a Jira key.
SELECT count(*) FILTER (WHERE jira_key <> '') AS linked, count(*) AS prs FROM b_pullrequest;
