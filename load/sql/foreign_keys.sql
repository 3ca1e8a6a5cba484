-- The foreign keys on the tables the load writes, and those of other tables that point to them
-- (e.g. metrics_prcomment -> metrics_pullrequest), with their full definitions, so bulk mode can
-- drop them and add them back (one set-based validation each) in the same transaction. With no
-- foreign key pointing to it, an empty table can be truncated, which lets a wal_level=minimal
-- server write it without WAL.
SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint AS c
WHERE c.contype = 'f'
  AND c.connamespace = current_schema()::regnamespace
  AND (c.conrelid::regclass::text = ANY(%(tables)s) OR c.confrelid::regclass::text = ANY(%(tables)s))
ORDER BY 1, 2;
