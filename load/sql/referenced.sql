-- Whether a foreign key (of any table) still points to this table: TRUNCATE refuses it then.
SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = %(table)s::regclass);
