-- Typed columns of the `new_*` snapshot that disagree with the `raw` API object they derive from
-- (extract/rows.py: REST names; extract/graphql/rows.py: GraphQL names). Checked only where raw
-- carries the field, for the columns the transform reads most: PR number, title, created_at and
-- merged_at; review state and submitted_at; commit sha and dates; check run start and end.
-- Rows whose raw is not JSON are left to the schema checks. One row per table and column with the number of rows that disagree (0 rows: all agree).
CREATE OR REPLACE TEMP MACRO raw_field(raw, rest, gql) AS
    CASE WHEN json_exists(raw, rest) THEN raw->>rest WHEN json_exists(raw, gql) THEN raw->>gql END;
CREATE OR REPLACE TEMP MACRO raw_has(raw, rest, gql) AS json_exists(raw, rest) OR json_exists(raw, gql);
CREATE OR REPLACE TEMP MACRO time_differs(typed, raw, rest, gql) AS
    raw_has(raw, rest, gql)
    AND typed IS DISTINCT FROM try_cast(nullif(raw_field(raw, rest, gql), '') AS TIMESTAMPTZ);

SELECT 'pull_requests' AS table_name, 'number' AS column_name,
       count(*) FILTER (WHERE json_exists(raw, '$.number') AND number IS DISTINCT FROM try_cast(raw->>'$.number' AS BIGINT)) AS n
FROM (SELECT * FROM new_pull_requests WHERE json_valid(raw))
UNION ALL
SELECT 'pull_requests', 'title',
       count(*) FILTER (WHERE json_exists(raw, '$.title') AND title IS DISTINCT FROM coalesce(raw->>'$.title', ''))
FROM (SELECT * FROM new_pull_requests WHERE json_valid(raw))
UNION ALL
SELECT 'pull_requests', 'created_at',
       count(*) FILTER (WHERE time_differs(created_at, raw, '$.created_at', '$.createdAt'))
FROM (SELECT * FROM new_pull_requests WHERE json_valid(raw))
UNION ALL
SELECT 'pull_requests', 'merged_at',
       count(*) FILTER (WHERE time_differs(merged_at, raw, '$.merged_at', '$.mergedAt'))
FROM (SELECT * FROM new_pull_requests WHERE json_valid(raw))
UNION ALL
SELECT 'reviews', 'state',
       count(*) FILTER (WHERE json_exists(raw, '$.state') AND state IS DISTINCT FROM raw->>'$.state')
FROM (SELECT * FROM new_reviews WHERE json_valid(raw))
UNION ALL
SELECT 'reviews', 'submitted_at',
       count(*) FILTER (WHERE time_differs(submitted_at, raw, '$.submitted_at', '$.submittedAt'))
FROM (SELECT * FROM new_reviews WHERE json_valid(raw))
UNION ALL
SELECT 'commits', 'sha',
       count(*) FILTER (WHERE raw_has(raw, '$.sha', '$.commit.oid') AND sha IS DISTINCT FROM raw_field(raw, '$.sha', '$.commit.oid'))
FROM (SELECT * FROM new_commits WHERE json_valid(raw))
UNION ALL
SELECT 'commits', 'authored_at',
       count(*) FILTER (WHERE time_differs(authored_at, raw, '$.commit.author.date', '$.commit.authoredDate'))
FROM (SELECT * FROM new_commits WHERE json_valid(raw))
UNION ALL
SELECT 'commits', 'committed_at',
       count(*) FILTER (WHERE time_differs(committed_at, raw, '$.commit.committer.date', '$.commit.committedDate'))
FROM (SELECT * FROM new_commits WHERE json_valid(raw))
UNION ALL
SELECT 'check_runs', 'started_at',
       count(*) FILTER (WHERE time_differs(started_at, raw, '$.started_at', '$.startedAt'))
FROM (SELECT * FROM new_check_runs WHERE json_valid(raw))
UNION ALL
SELECT 'check_runs', 'completed_at',
       count(*) FILTER (WHERE time_differs(completed_at, raw, '$.completed_at', '$.completedAt'))
FROM (SELECT * FROM new_check_runs WHERE json_valid(raw));
