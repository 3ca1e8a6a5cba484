-- PR-level differences from the `old_*` to the `new_*` snapshot: one row per PR and part.
-- change is 'added' or 'removed' (part NULL), or 'changed' with the part that differs: the PR
-- itself, or the fingerprint of its commits, reviews, files, check runs, review comments or
-- conversation comments (raw JSON, in key order; a version-1 snapshot has empty comment tables).
CREATE OR REPLACE TEMP MACRO pr_fingerprints(side) AS TABLE
    SELECT repo, number, 'pull request' AS part, md5(raw) AS fp
    FROM query_table(side || '_pull_requests')
    UNION ALL
    SELECT repo, pr_number AS number, 'commits' AS part,
           md5(string_agg(raw, chr(10) ORDER BY repo, pr_number, sha)) AS fp
    FROM query_table(side || '_commits') GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'reviews' AS part,
           md5(string_agg(raw, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM query_table(side || '_reviews') GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'files' AS part,
           md5(string_agg(raw || coalesce(patch, ''), chr(10) ORDER BY repo, pr_number, filename)) AS fp
    FROM query_table(side || '_files') GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'check_runs' AS part,
           md5(string_agg(raw, chr(10) ORDER BY repo, pr_number, head_sha, id)) AS fp
    FROM query_table(side || '_check_runs') GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'review_comments' AS part,
           md5(string_agg(raw, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM query_table(side || '_review_comments') GROUP BY repo, pr_number
    UNION ALL
    SELECT repo, pr_number AS number, 'issue_comments' AS part,
           md5(string_agg(raw, chr(10) ORDER BY repo, pr_number, id)) AS fp
    FROM query_table(side || '_issue_comments') GROUP BY repo, pr_number;

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
