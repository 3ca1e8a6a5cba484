-- Pull requests by unique_team_pr (team, github_pr_id, github_repo). An author that is not a
-- member of the team becomes NULL (the app's SET_NULL). llm_summary is left to the app.
WITH up AS (
    INSERT INTO metrics_pullrequest AS d (
        created_at, updated_at, synced_at, team_id, github_pr_id, github_repo, title, body,
        author_id, state, pr_created_at, merged_at, first_review_at, cycle_time_hours,
        review_time_hours, review_rounds, avg_fix_response_hours, commits_after_first_review,
        total_comments, additions, deletions, is_revert, is_hotfix, is_draft, labels,
        milestone_title, assignees, linked_issues, is_ai_assisted, ai_tools_detected,
        ai_detection_version, llm_summary_version, has_ai_commits, has_ai_review, has_ai_files,
        ai_confidence_score, ai_signals, jira_key
    )
    SELECT now(), now(), now(), t.id, s.github_pr_id, s.github_repo, s.title, s.body,
           m.id, s.state, s.pr_created_at, s.merged_at, s.first_review_at, s.cycle_time_hours,
           s.review_time_hours, s.review_rounds, s.avg_fix_response_hours,
           s.commits_after_first_review, s.total_comments, s.additions, s.deletions,
           s.is_revert, s.is_hotfix, s.is_draft, s.labels, s.milestone_title, s.assignees,
           s.linked_issues, s.is_ai_assisted, s.ai_tools_detected, s.ai_detection_version, '',
           s.has_ai_commits, s.has_ai_review, s.has_ai_files, s.ai_confidence_score,
           s.ai_signals, s.jira_key
    FROM stg_metrics_pullrequest AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
    ON CONFLICT (team_id, github_pr_id, github_repo) DO UPDATE
        SET title = EXCLUDED.title, body = EXCLUDED.body, author_id = EXCLUDED.author_id,
            state = EXCLUDED.state, pr_created_at = EXCLUDED.pr_created_at,
            merged_at = EXCLUDED.merged_at, first_review_at = EXCLUDED.first_review_at,
            cycle_time_hours = EXCLUDED.cycle_time_hours,
            review_time_hours = EXCLUDED.review_time_hours,
            review_rounds = EXCLUDED.review_rounds,
            avg_fix_response_hours = EXCLUDED.avg_fix_response_hours,
            commits_after_first_review = EXCLUDED.commits_after_first_review,
            total_comments = EXCLUDED.total_comments, additions = EXCLUDED.additions,
            deletions = EXCLUDED.deletions, is_revert = EXCLUDED.is_revert,
            is_hotfix = EXCLUDED.is_hotfix, is_draft = EXCLUDED.is_draft,
            labels = EXCLUDED.labels, milestone_title = EXCLUDED.milestone_title,
            assignees = EXCLUDED.assignees, linked_issues = EXCLUDED.linked_issues,
            is_ai_assisted = EXCLUDED.is_ai_assisted,
            ai_tools_detected = EXCLUDED.ai_tools_detected,
            ai_detection_version = EXCLUDED.ai_detection_version,
            has_ai_commits = EXCLUDED.has_ai_commits, has_ai_review = EXCLUDED.has_ai_review,
            has_ai_files = EXCLUDED.has_ai_files,
            ai_confidence_score = EXCLUDED.ai_confidence_score,
            ai_signals = EXCLUDED.ai_signals, jira_key = EXCLUDED.jira_key,
            updated_at = EXCLUDED.updated_at, synced_at = EXCLUDED.synced_at
        WHERE (d.title, d.body, d.author_id, d.state, d.pr_created_at, d.merged_at,
               d.first_review_at, d.cycle_time_hours, d.review_time_hours, d.review_rounds,
               d.avg_fix_response_hours, d.commits_after_first_review, d.total_comments,
               d.additions, d.deletions, d.is_revert, d.is_hotfix, d.is_draft, d.labels,
               d.milestone_title, d.assignees, d.linked_issues, d.is_ai_assisted,
               d.ai_tools_detected, d.ai_detection_version, d.has_ai_commits, d.has_ai_review,
               d.has_ai_files, d.ai_confidence_score, d.ai_signals, d.jira_key)
              IS DISTINCT FROM
              (EXCLUDED.title, EXCLUDED.body, EXCLUDED.author_id, EXCLUDED.state,
               EXCLUDED.pr_created_at, EXCLUDED.merged_at, EXCLUDED.first_review_at,
               EXCLUDED.cycle_time_hours, EXCLUDED.review_time_hours, EXCLUDED.review_rounds,
               EXCLUDED.avg_fix_response_hours, EXCLUDED.commits_after_first_review,
               EXCLUDED.total_comments, EXCLUDED.additions, EXCLUDED.deletions,
               EXCLUDED.is_revert, EXCLUDED.is_hotfix, EXCLUDED.is_draft, EXCLUDED.labels,
               EXCLUDED.milestone_title, EXCLUDED.assignees, EXCLUDED.linked_issues,
               EXCLUDED.is_ai_assisted, EXCLUDED.ai_tools_detected,
               EXCLUDED.ai_detection_version, EXCLUDED.has_ai_commits, EXCLUDED.has_ai_review,
               EXCLUDED.has_ai_files, EXCLUDED.ai_confidence_score, EXCLUDED.ai_signals,
               EXCLUDED.jira_key)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
