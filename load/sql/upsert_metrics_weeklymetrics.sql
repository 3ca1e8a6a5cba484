-- Weekly metrics by unique_team_member_week (team, member, week_start). Every column comes
-- from the build (the old seeder updated only 7 of them; the build computes them all).
WITH up AS (
    INSERT INTO metrics_weeklymetrics AS d (
        created_at, updated_at, team_id, member_id, week_start, prs_merged,
        avg_cycle_time_hours, avg_review_time_hours, commits_count, lines_added, lines_removed,
        revert_count, hotfix_count, story_points_completed, issues_resolved, ai_assisted_prs,
        avg_quality_rating, surveys_completed, guess_accuracy
    )
    SELECT now(), now(), t.id, m.id, s.week_start, s.prs_merged, s.avg_cycle_time_hours,
           s.avg_review_time_hours, s.commits_count, s.lines_added, s.lines_removed,
           s.revert_count, s.hotfix_count, s.story_points_completed, s.issues_resolved,
           s.ai_assisted_prs, s.avg_quality_rating, s.surveys_completed, s.guess_accuracy
    FROM stg_metrics_weeklymetrics AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.member_github_id AND m.github_id > ''
    ON CONFLICT (team_id, member_id, week_start) DO UPDATE
        SET prs_merged = EXCLUDED.prs_merged, avg_cycle_time_hours = EXCLUDED.avg_cycle_time_hours,
            avg_review_time_hours = EXCLUDED.avg_review_time_hours,
            commits_count = EXCLUDED.commits_count, lines_added = EXCLUDED.lines_added,
            lines_removed = EXCLUDED.lines_removed, revert_count = EXCLUDED.revert_count,
            hotfix_count = EXCLUDED.hotfix_count,
            story_points_completed = EXCLUDED.story_points_completed,
            issues_resolved = EXCLUDED.issues_resolved,
            ai_assisted_prs = EXCLUDED.ai_assisted_prs,
            avg_quality_rating = EXCLUDED.avg_quality_rating,
            surveys_completed = EXCLUDED.surveys_completed,
            guess_accuracy = EXCLUDED.guess_accuracy, updated_at = EXCLUDED.updated_at
        WHERE (d.prs_merged, d.avg_cycle_time_hours, d.avg_review_time_hours, d.commits_count,
               d.lines_added, d.lines_removed, d.revert_count, d.hotfix_count,
               d.story_points_completed, d.issues_resolved, d.ai_assisted_prs,
               d.avg_quality_rating, d.surveys_completed, d.guess_accuracy)
              IS DISTINCT FROM
              (EXCLUDED.prs_merged, EXCLUDED.avg_cycle_time_hours,
               EXCLUDED.avg_review_time_hours, EXCLUDED.commits_count, EXCLUDED.lines_added,
               EXCLUDED.lines_removed, EXCLUDED.revert_count, EXCLUDED.hotfix_count,
               EXCLUDED.story_points_completed, EXCLUDED.issues_resolved,
               EXCLUDED.ai_assisted_prs, EXCLUDED.avg_quality_rating,
               EXCLUDED.surveys_completed, EXCLUDED.guess_accuracy)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
