-- Pull requests by outcome: merged, closed without merging, open; plus distinct authors.
SELECT
    count(*) FILTER (WHERE merged_at IS NOT NULL) AS merged,
    count(*) FILTER (WHERE merged_at IS NULL AND closed_at IS NOT NULL) AS closed,
    count(*) FILTER (WHERE merged_at IS NULL AND closed_at IS NULL) AS open,
    count(DISTINCT author_login) AS authors
FROM s_pull_requests;
