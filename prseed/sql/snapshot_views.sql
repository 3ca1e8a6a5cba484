-- Views over the tables of two snapshots, `old_*` and `new_*`. The file paths are bound as
-- DuckDB variables named like the views (SET VARIABLE old_commits = ?), so no path is
-- spliced into SQL. file_row_number gives the stored row order for the order check.

CREATE VIEW old_pull_requests AS
    SELECT * FROM read_parquet(getvariable('old_pull_requests'), file_row_number = true);
CREATE VIEW old_commits AS
    SELECT * FROM read_parquet(getvariable('old_commits'), file_row_number = true);
CREATE VIEW old_reviews AS
    SELECT * FROM read_parquet(getvariable('old_reviews'), file_row_number = true);
CREATE VIEW old_files AS
    SELECT * FROM read_parquet(getvariable('old_files'), file_row_number = true);
CREATE VIEW old_check_runs AS
    SELECT * FROM read_parquet(getvariable('old_check_runs'), file_row_number = true);
CREATE VIEW old_contributors AS
    SELECT * FROM read_parquet(getvariable('old_contributors'), file_row_number = true);
CREATE VIEW new_pull_requests AS
    SELECT * FROM read_parquet(getvariable('new_pull_requests'), file_row_number = true);
CREATE VIEW new_commits AS
    SELECT * FROM read_parquet(getvariable('new_commits'), file_row_number = true);
CREATE VIEW new_reviews AS
    SELECT * FROM read_parquet(getvariable('new_reviews'), file_row_number = true);
CREATE VIEW new_files AS
    SELECT * FROM read_parquet(getvariable('new_files'), file_row_number = true);
CREATE VIEW new_check_runs AS
    SELECT * FROM read_parquet(getvariable('new_check_runs'), file_row_number = true);
CREATE VIEW new_contributors AS
    SELECT * FROM read_parquet(getvariable('new_contributors'), file_row_number = true);
