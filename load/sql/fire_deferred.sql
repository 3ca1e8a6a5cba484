-- Fire the foreign-key checks queued so far (e.g. by --clear's deletes) now, then defer again:
-- bulk mode's DROP/CREATE INDEX refuses to run on a table with pending trigger events.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
