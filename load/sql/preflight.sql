-- Every column of the current schema's tables, for the preflight check against what the load
-- writes. Scoped to the tables the load needs.
SELECT table_name, column_name, data_type, character_maximum_length
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ANY(%(tables)s)
ORDER BY table_name, ordinal_position;
