-- Review load: submitted reviews (PENDING drafts are nobody's load yet) and distinct PRs
-- reviewed per reviewer login; a deleted account has no login.
SELECT
    coalesce(reviewer_login, '(deleted user)') AS reviewer,
    count(DISTINCT (repo, pr_number)) AS prs,
    count(*) AS reviews
FROM s_reviews
WHERE upper(state) <> 'PENDING'
GROUP BY ALL
ORDER BY prs DESC, reviews DESC, reviewer;
