-- The indexes of one table that no constraint owns and that are not unique (so never an
-- ON CONFLICT arbiter), with their full definitions. Bulk mode drops them while it fills an
-- empty table and builds them afterwards, which is much cheaper than row-by-row maintenance.
SELECT i.relname, pg_get_indexdef(i.oid)
FROM pg_index AS x
JOIN pg_class AS i ON i.oid = x.indexrelid
WHERE x.indrelid = %(table)s::regclass
  AND NOT x.indisunique
  AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)
ORDER BY 1;
