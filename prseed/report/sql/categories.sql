-- Changed files by category (the app's rules, applied by the transform) and lines changed.
SELECT file_category AS category, count(*) AS files, sum(changes)::BIGINT AS changes
FROM b_prfile
GROUP BY ALL
ORDER BY files DESC, category;
