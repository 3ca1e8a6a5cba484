-- Weekly metrics by unique_team_member_week (team, member, week_start). Every column comes
-- from the build (the old seeder updated only 7 of them; the build computes them all).
-- conflict: (team_id, member_id, week_start)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, m.id AS member_id, s.week_start,
       s.prs_merged, s.avg_cycle_time_hours, s.avg_review_time_hours, s.commits_count,
       s.lines_added, s.lines_removed, s.revert_count, s.hotfix_count, s.story_points_completed,
       s.issues_resolved, s.ai_assisted_prs, s.avg_quality_rating, s.surveys_completed,
       s.guess_accuracy
FROM stg_metrics_weeklymetrics AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.member_github_id AND m.github_id > ''
