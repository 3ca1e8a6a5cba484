-- Daily insights. metrics_dailyinsight has no unique constraint in the app (its daily task
-- inserts, so re-running a day duplicates), so there is no ON CONFLICT to lean on. The build holds
-- the team's insights for every day of its window; the load makes the team's rows dated within
-- the build's first..last day EQUAL that set, one row each:
--   * a database row of those days that matches no build row in every value column, or that
--     repeats an identical row with a lower id, is deleted;
--   * a build row with no identical database row is inserted.
-- A reload therefore changes nothing (no row touched, not even updated_at; a dismissed insight
-- stays dismissed, is_dismissed being the app's), a newer build replaces what changed, and rows
-- of other days (the app's own, or an older shift's) are kept, like every table's rows a newer
-- build no longer has; --clear removes them. The load's advisory lock keeps concurrent loads
-- from interleaving, and the whole load is one transaction.
WITH team AS (
    SELECT t.id FROM teams_team AS t
    WHERE t.slug = (SELECT min(team_slug) FROM stg_metrics_dailyinsight)
), span AS (
    SELECT min(date) AS lo, max(date) AS hi FROM stg_metrics_dailyinsight
), gone AS (
    DELETE FROM metrics_dailyinsight AS e
    USING team, span
    WHERE e.team_id = team.id AND e.date BETWEEN span.lo AND span.hi
      AND (
        NOT EXISTS (
            SELECT 1 FROM stg_metrics_dailyinsight AS s
            WHERE (s.date, s.category, s.priority, s.title, s.description, s.metric_type,
                   s.metric_value, s.comparison_period)
                  IS NOT DISTINCT FROM
                  (e.date, e.category, e.priority, e.title, e.description, e.metric_type,
                   e.metric_value, e.comparison_period))
        OR EXISTS (
            SELECT 1 FROM metrics_dailyinsight AS o
            WHERE o.team_id = e.team_id AND o.id < e.id
              AND (o.date, o.category, o.priority, o.title, o.description, o.metric_type,
                   o.metric_value, o.comparison_period)
                  IS NOT DISTINCT FROM
                  (e.date, e.category, e.priority, e.title, e.description, e.metric_type,
                   e.metric_value, e.comparison_period))
      )
    RETURNING 1
), up AS (
    INSERT INTO metrics_dailyinsight AS d (
        created_at, updated_at, team_id, date, category, priority, title, description, metric_type,
        metric_value, comparison_period, is_dismissed, dismissed_at
    )
    SELECT now(), now(), t.id, s.date, s.category, s.priority, s.title, s.description,
           s.metric_type, s.metric_value, s.comparison_period, false, NULL
    FROM stg_metrics_dailyinsight AS s
    LEFT JOIN teams_team AS t ON t.slug = s.team_slug
    WHERE NOT EXISTS (
        SELECT 1 FROM metrics_dailyinsight AS e
        WHERE e.team_id = t.id
          AND (e.date, e.category, e.priority, e.title, e.description, e.metric_type,
               e.metric_value, e.comparison_period)
              IS NOT DISTINCT FROM
              (s.date, s.category, s.priority, s.title, s.description, s.metric_type,
               s.metric_value, s.comparison_period))
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*), 0, 0 FROM up;
