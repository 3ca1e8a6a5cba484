-- Every table of the `new_*` snapshot must be unique on its key and stored sorted by it
-- (x-key of schemas/snapshot/<table>.schema.json; tests check the two agree). One row per table:
-- rows sharing a key with another row, and rows not at their sorted position.
WITH placed AS (
    SELECT 'pull_requests' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, number) - 1 AS want,
           count(*) OVER (PARTITION BY repo, number) AS copies
    FROM new_pull_requests
    UNION ALL
    SELECT 'commits' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, pr_number, sha) - 1 AS want,
           count(*) OVER (PARTITION BY repo, pr_number, sha) AS copies
    FROM new_commits
    UNION ALL
    SELECT 'reviews' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, pr_number, id) - 1 AS want,
           count(*) OVER (PARTITION BY repo, pr_number, id) AS copies
    FROM new_reviews
    UNION ALL
    SELECT 'files' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, pr_number, filename) - 1 AS want,
           count(*) OVER (PARTITION BY repo, pr_number, filename) AS copies
    FROM new_files
    UNION ALL
    SELECT 'check_runs' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, pr_number, head_sha, id) - 1 AS want,
           count(*) OVER (PARTITION BY repo, pr_number, head_sha, id) AS copies
    FROM new_check_runs
    UNION ALL
    SELECT 'contributors' AS table_name, file_row_number AS pos,
           row_number() OVER (ORDER BY repo, login) - 1 AS want,
           count(*) OVER (PARTITION BY repo, login) AS copies
    FROM new_contributors
)
SELECT table_name,
       count(*) FILTER (WHERE copies > 1) AS duplicates,
       count(*) FILTER (WHERE pos <> want) AS misplaced
FROM placed
GROUP BY table_name
ORDER BY table_name;
