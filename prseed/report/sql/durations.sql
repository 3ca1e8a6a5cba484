-- Cycle time (created -> merged) and time to first review (created -> first review by someone
-- other than the author) in hours, as the transform derived them; sorted per metric.
SELECT 'cycle' AS metric, cycle_time_hours::DOUBLE AS hours
FROM b_pullrequest WHERE cycle_time_hours IS NOT NULL
UNION ALL
SELECT 'first_review', review_time_hours::DOUBLE
FROM b_pullrequest WHERE review_time_hours IS NOT NULL
ORDER BY metric, hours;
