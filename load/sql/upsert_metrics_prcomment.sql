-- PR comments by the unique constraint unique_team_comment (team, github_comment_id).
-- An author who is not a member of the build (a drive-by commenter) or a deleted user gets a
-- NULL author, as the app's comment sync leaves it (author looked up by github_id, else None).
-- conflict: (team_id, github_comment_id)
SELECT now() AS created_at, now() AS updated_at, t.id AS team_id, s.github_comment_id,
       p.id AS pull_request_id, m.id AS author_id, s.body, s.comment_type, s.path, s.line,
       s.in_reply_to_id, s.comment_created_at, s.comment_updated_at
FROM stg_metrics_prcomment AS s
LEFT JOIN teams_team AS t ON t.slug = s.team_slug
LEFT JOIN metrics_pullrequest AS p
    ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
LEFT JOIN metrics_teammember AS m
    ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
