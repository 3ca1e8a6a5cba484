-- Serialise concurrent loads into one database: a second `prseed load` waits here until the
-- first commits or rolls back, instead of racing it on the same unique keys.
SELECT pg_advisory_xact_lock(%(key)s);
