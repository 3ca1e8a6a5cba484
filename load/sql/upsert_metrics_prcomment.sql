-- PR comments by the unique constraint unique_team_comment (team, github_comment_id).
-- An author who is not a member of the build (a drive-by commenter) or a deleted user gets a
-- NULL author, as the app's comment sync leaves it (author looked up by github_id, else None).
WITH up AS (
    INSERT INTO metrics_prcomment AS d (
        created_at, updated_at, team_id, github_comment_id, pull_request_id, author_id, body,
        comment_type, path, line, in_reply_to_id, comment_created_at, comment_updated_at
    )
    SELECT now(), now(), t.id, s.github_comment_id, p.id, m.id, s.body, s.comment_type, s.path,
           s.line, s.in_reply_to_id, s.comment_created_at, s.comment_updated_at
    FROM stg_metrics_prcomment AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    LEFT JOIN metrics_pullrequest AS p
        ON p.team_id = t.id AND p.github_repo = s.github_repo AND p.github_pr_id = s.github_pr_id
    LEFT JOIN metrics_teammember AS m
        ON m.team_id = t.id AND m.github_id = s.author_github_id AND m.github_id > ''
    ON CONFLICT (team_id, github_comment_id) DO UPDATE
        SET pull_request_id = EXCLUDED.pull_request_id, author_id = EXCLUDED.author_id,
            body = EXCLUDED.body, comment_type = EXCLUDED.comment_type, path = EXCLUDED.path,
            line = EXCLUDED.line, in_reply_to_id = EXCLUDED.in_reply_to_id,
            comment_created_at = EXCLUDED.comment_created_at,
            comment_updated_at = EXCLUDED.comment_updated_at, updated_at = EXCLUDED.updated_at
        WHERE (d.pull_request_id, d.author_id, d.body, d.comment_type, d.path, d.line,
               d.in_reply_to_id, d.comment_created_at, d.comment_updated_at)
              IS DISTINCT FROM
              (EXCLUDED.pull_request_id, EXCLUDED.author_id, EXCLUDED.body, EXCLUDED.comment_type,
               EXCLUDED.path, EXCLUDED.line, EXCLUDED.in_reply_to_id, EXCLUDED.comment_created_at,
               EXCLUDED.comment_updated_at)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), 0 FROM up;
