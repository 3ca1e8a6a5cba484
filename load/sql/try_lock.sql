-- The load lock (see lock.sql) if it is free now: true when taken, false when another load holds it.
SELECT pg_try_advisory_xact_lock(%(key)s);
