-- Simulated surveys: sent and answered, for PR authors and for reviewers. The build keeps only the
-- reviewer surveys that were answered, so the reviewers asked are counted as the transform picks
-- them (transform/README.md, "Surveys"): distinct active members with a kept review of a surveyed
-- PR, other than its author.
WITH asked AS (
    SELECT DISTINCT r.github_repo, r.github_pr_id, r.reviewer_github_id
    FROM b_prreview r
    JOIN b_prsurvey s USING (team_slug, github_repo, github_pr_id)
    JOIN b_teammember m ON m.team_slug = r.team_slug AND m.github_id = r.reviewer_github_id AND m.is_active
    WHERE r.reviewer_github_id <> s.author_github_id
)
SELECT 'author' AS who, count(*) AS sent, count(author_responded_at) AS answered FROM b_prsurvey
UNION ALL
SELECT 'reviewer', (SELECT count(*) FROM asked), (SELECT count(responded_at) FROM b_prsurveyreview)
ORDER BY who;
