-- Contributors added ('added'), removed ('removed') and changed ('changed': any column or raw
-- differs, e.g. a new public e-mail or contribution count) from the `old_*` to the `new_*` snapshot.
WITH o AS (
    SELECT repo, login, md5(to_json(t)::VARCHAR) AS fp
    FROM (SELECT * EXCLUDE (file_row_number) FROM old_contributors) AS t
), n AS (
    SELECT repo, login, md5(to_json(t)::VARCHAR) AS fp
    FROM (SELECT * EXCLUDE (file_row_number) FROM new_contributors) AS t
)
SELECT 'added' AS change, repo, login
FROM n ANTI JOIN o USING (repo, login)
UNION ALL
SELECT 'removed', repo, login
FROM o ANTI JOIN n USING (repo, login)
UNION ALL
SELECT 'changed', repo, login
FROM o JOIN n USING (repo, login)
WHERE o.fp <> n.fp
ORDER BY change, repo, login;
