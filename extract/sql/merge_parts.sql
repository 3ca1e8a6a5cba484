-- All part files of one snapshot table, sorted by every column left to right. Each table's
-- contract puts its key columns first, so this is the key order, and the remaining columns break
-- any tie: the order never depends on how DuckDB splits the work.
SELECT *
FROM read_parquet($files)
ORDER BY ALL
