-- The foreign keys declared on the tables the load writes, with their full definitions, so bulk
-- mode can drop them and add them back (one set-based validation each) in the same transaction.
SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint AS c
WHERE c.contype = 'f'
  AND c.connamespace = current_schema()::regnamespace
  AND c.conrelid::regclass::text = ANY(%(tables)s)
ORDER BY 1, 2;
