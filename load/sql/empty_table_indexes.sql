-- The indexes of one empty table that bulk mode drops while it fills the table and builds
-- afterwards (one sort each, instead of one insertion per row and index): every index,
-- unique ones and the primary key included, except an index a remaining foreign key relies
-- on (a table the load does not write, e.g. metrics_prcomment -> metrics_pullrequest(id)).
-- An index that backs a constraint comes with that constraint, which is dropped and added
-- back instead (the index goes with it).
SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
FROM pg_index AS x
JOIN pg_class AS i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint AS c
    ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')
WHERE x.indrelid = %(table)s::regclass
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint AS f WHERE f.contype = 'f' AND f.conindid = x.indexrelid
  )
ORDER BY x.indisprimary DESC, 1;
