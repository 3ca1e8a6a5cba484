-- Simulated AI usage: member-days with a usage record per ISO week (Monday) and tool.
SELECT date_trunc('week', date)::DATE AS week, source, count(*) AS days
FROM b_aiusagedaily
GROUP BY ALL
ORDER BY week, source;
