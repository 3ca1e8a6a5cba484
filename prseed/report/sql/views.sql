-- Views over one snapshot (`s_*`) and its build (`b_*`). Paths are bound as DuckDB variables
-- named like the views (SET VARIABLE s_reviews = ?), so no path is spliced into SQL.
CREATE VIEW s_pull_requests AS SELECT * FROM read_parquet(getvariable('s_pull_requests'));
CREATE VIEW s_reviews AS SELECT * FROM read_parquet(getvariable('s_reviews'));
CREATE VIEW s_check_runs AS SELECT * FROM read_parquet(getvariable('s_check_runs'));
CREATE VIEW s_contributors AS SELECT * FROM read_parquet(getvariable('s_contributors'));
CREATE VIEW b_pullrequest AS SELECT * FROM read_parquet(getvariable('b_metrics_pullrequest'));
CREATE VIEW b_prfile AS SELECT * FROM read_parquet(getvariable('b_metrics_prfile'));
CREATE VIEW b_jiraissue AS SELECT * FROM read_parquet(getvariable('b_metrics_jiraissue'));
CREATE VIEW b_prsurvey AS SELECT * FROM read_parquet(getvariable('b_metrics_prsurvey'));
CREATE VIEW b_prreview AS SELECT * FROM read_parquet(getvariable('b_metrics_prreview'));
CREATE VIEW b_teammember AS SELECT * FROM read_parquet(getvariable('b_metrics_teammember'));
CREATE VIEW b_prsurveyreview AS SELECT * FROM read_parquet(getvariable('b_metrics_prsurveyreview'));
CREATE VIEW b_aiusagedaily AS SELECT * FROM read_parquet(getvariable('b_metrics_aiusagedaily'));
