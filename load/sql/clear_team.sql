-- --clear: delete every row of one team from the metrics tables. Django does not cascade in the
-- database, so the loader does it by hand; all deletes are one statement on one snapshot and
-- the foreign keys are deferred, so their order does not matter. The teams_team row itself
-- (and teams_membership, which the app owns) is kept.
WITH team AS (
    SELECT id FROM teams_team WHERE slug = %(slug)s
), d1 AS (
    DELETE FROM metrics_prsurveyreview WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d2 AS (
    DELETE FROM metrics_prsurvey WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d3 AS (
    DELETE FROM metrics_prfile WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d4 AS (
    DELETE FROM metrics_prcheckrun WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d5 AS (
    DELETE FROM metrics_prreview WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d6 AS (
    DELETE FROM metrics_prcomment WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d7 AS (
    DELETE FROM metrics_deployment WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d8 AS (
    DELETE FROM metrics_commit WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d9 AS (
    DELETE FROM metrics_jiraissue WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d10 AS (
    DELETE FROM metrics_aiusagedaily WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d11 AS (
    DELETE FROM metrics_weeklymetrics WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d12 AS (
    DELETE FROM metrics_reviewercorrelation WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d13 AS (
    DELETE FROM metrics_dailyinsight WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d14 AS (
    DELETE FROM metrics_pullrequest WHERE team_id IN (SELECT id FROM team) RETURNING 1
), d15 AS (
    DELETE FROM metrics_teammember WHERE team_id IN (SELECT id FROM team) RETURNING 1
)
SELECT (SELECT count(*) FROM d1) + (SELECT count(*) FROM d2) + (SELECT count(*) FROM d3)
     + (SELECT count(*) FROM d4) + (SELECT count(*) FROM d5) + (SELECT count(*) FROM d6)
     + (SELECT count(*) FROM d7) + (SELECT count(*) FROM d8) + (SELECT count(*) FROM d9)
     + (SELECT count(*) FROM d10) + (SELECT count(*) FROM d11) + (SELECT count(*) FROM d12)
     + (SELECT count(*) FROM d13) + (SELECT count(*) FROM d14) + (SELECT count(*) FROM d15);
