-- PR-level differences from the `old_*` to the `new_*` snapshot: one row per PR and part.
-- change is 'added' or 'removed' (part NULL), or 'changed' with the part that differs: the PR
-- itself, or the fingerprint of its commits, reviews, files, check runs, review comments or
-- conversation comments (a version-1 snapshot has empty comment tables). A fingerprint covers
-- the WHOLE row (every typed column and raw, as JSON, in key order), not raw alone: the transform
-- reads the typed columns, so two snapshots whose created_at or title differ are not identical
-- even when their raw is. The stored row position (file_row_number) is not data.
CREATE OR REPLACE TEMP MACRO snap_rows(side, name) AS TABLE
    SELECT * EXCLUDE (file_row_number) FROM query_table(side || '_' || name);

CREATE OR REPLACE TEMP MACRO pr_fingerprints(side) AS TABLE
    SELECT repo, number, 'pull request' AS part, md5(to_json(t)::VARCHAR) AS fp
    FROM snap_rows(side, 'pull_requests') AS t
    UNION ALL
    SELECT repo, pr_number AS number, 'commits' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, sha)) AS fp
    FROM snap_rows(side, 'commits') AS t GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'reviews' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM snap_rows(side, 'reviews') AS t GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'files' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, filename)) AS fp
    FROM snap_rows(side, 'files') AS t GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'check_runs' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, head_sha, id)) AS fp
    FROM snap_rows(side, 'check_runs') AS t GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'review_comments' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM snap_rows(side, 'review_comments') AS t GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'issue_comments' AS part,
           md5(string_agg(to_json(t)::VARCHAR, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM snap_rows(side, 'issue_comments') AS t GROUP BY repo, pr_number;

WITH common AS (
    SELECT repo, number FROM old_pull_requests SEMI JOIN new_pull_requests USING (repo, number)
)
SELECT 'added' AS change, repo, number, NULL AS part
FROM new_pull_requests ANTI JOIN old_pull_requests USING (repo, number)
UNION ALL
SELECT 'removed', repo, number, NULL
FROM old_pull_requests ANTI JOIN new_pull_requests USING (repo, number)
UNION ALL
SELECT 'changed', repo, number, part
FROM pr_fingerprints('old') AS o
FULL OUTER JOIN pr_fingerprints('new') AS n USING (repo, number, part)
SEMI JOIN common USING (repo, number)
WHERE o.fp IS DISTINCT FROM n.fp
ORDER BY change, repo, number, part;
