-- NOT NULL columns that get no value unless the load gives one (no default, not identity or
-- generated) in the tables the load writes: the preflight names those the load does not fill,
-- e.g. a column the app added in a newer migration.
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = current_schema()
  AND table_name = ANY(%(tables)s)
  AND is_nullable = 'NO'
  AND column_default IS NULL
  AND is_identity = 'NO'
  AND is_generated = 'NEVER'
ORDER BY table_name, ordinal_position;
