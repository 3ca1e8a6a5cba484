-- The team of a build, for the direct path's natural-key joins (``t`` in the upserts).
SELECT id, slug FROM teams_team WHERE slug = %(slug)s;
