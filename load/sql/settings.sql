-- Memory for this loader's own session only (nothing server-wide changes). The staging tables
-- are TEMP tables, cached in temp_buffers (8 MB by default), and the natural-key joins hash
-- whole tables (work_mem, 4 MB by default); at 100,000 PRs both would spill to disk. Bulk
-- mode's index builds sort whole tables (maintenance_work_mem, 64 MB by default). JIT is off:
-- the upserts run once each, so compiling their expressions costs more than it saves.
-- temp_buffers can only change before the session first touches a temporary table, which is
-- why this runs first, and session-wide (the loader's connection is closed after the load);
-- the others are local to the load's transaction.
SELECT set_config('temp_buffers', %(temp_buffers)s, false),
       set_config('work_mem', %(work_mem)s, true),
       set_config('maintenance_work_mem', %(maintenance_work_mem)s, true),
       set_config('jit', %(jit)s, true);
