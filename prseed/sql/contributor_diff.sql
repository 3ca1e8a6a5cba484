-- Contributors added ('added') and removed ('removed') from the `old_*` to the `new_*` snapshot.
SELECT 'added' AS change, repo, login
FROM new_contributors ANTI JOIN old_contributors USING (repo, login)
UNION ALL
SELECT 'removed', repo, login
FROM old_contributors ANTI JOIN new_contributors USING (repo, login)
ORDER BY change, repo, login;
