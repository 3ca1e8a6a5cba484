-- Simulated surveys: sent and answered, for PR authors and for reviewers. The build keeps only the
-- reviewer surveys that were answered, so the reviewers asked are counted as the transform picks
-- them (transform/README.md, "Surveys"): distinct active members with a kept review of a surveyed
-- PR, other than its author. A build holds one team, so team_slug is not joined on (joining on
-- that constant led DuckDB to a cross product of surveys and members).
WITH asked AS (
    SELECT DISTINCT r.github_repo, r.github_pr_id, r.reviewer_github_id
    FROM b_prreview r
    JOIN b_prsurvey s ON s.github_repo = r.github_repo AND s.github_pr_id = r.github_pr_id
    WHERE r.reviewer_github_id <> s.author_github_id
      AND r.reviewer_github_id IN (SELECT github_id FROM b_teammember WHERE is_active)
)
SELECT 'author' AS who, count(*) AS sent, count(author_responded_at) AS answered FROM b_prsurvey
UNION ALL
SELECT 'reviewer', (SELECT count(*) FROM asked), (SELECT count(responded_at) FROM b_prsurveyreview)
ORDER BY who;
