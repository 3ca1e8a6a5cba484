-- Simulated surveys: sent and answered, for PR authors and for reviewers.
SELECT 'author' AS who, count(*) AS sent, count(author_responded_at) AS answered FROM b_prsurvey
UNION ALL
SELECT 'reviewer', count(*), count(responded_at) FROM b_prsurveyreview
ORDER BY who;
