-- Check runs by outcome: the conclusion, or the status while a run has none (queued, in_progress).
SELECT coalesce(conclusion, status, 'unknown') AS outcome, count(*) AS runs
FROM s_check_runs
GROUP BY ALL
ORDER BY runs DESC, outcome;
