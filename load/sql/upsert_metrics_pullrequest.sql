-- Pull requests by unique_team_pr (team, github_pr_id, github_repo). An author that is not a
-- member of the team becomes NULL (the app's SET_NULL). llm_summary is left to the app.
-- conflict: (team_id, github_pr_id, github_repo)
SELECT now() AS created_at, now() AS updated_at, now() AS synced_at, t.id AS team_id,
       s.github_pr_id, s.github_repo, s.title, s.body, m.id AS author_id, s.state, s.pr_created_at,
       s.merged_at, s.first_review_at, s.cycle_time_hours, s.review_time_hours, s.review_rounds,
       s.avg_fix_response_hours, s.commits_after_first_review, s.total_comments, s.additions,
       s.deletions, s.is_revert, s.is_hotfix, s.is_draft, s.labels, s.milestone_title, s.assignees,
       s.linked_issues, s.is_ai_assisted, s.ai_tools_detected, s.ai_detection_version,
       '' AS llm_summary_version, s.has_ai_commits, s.has_ai_review, s.has_ai_files,
       s.ai_confidence_score, s.ai_signals, s.jira_key
FROM stg_metrics_pullrequest AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
