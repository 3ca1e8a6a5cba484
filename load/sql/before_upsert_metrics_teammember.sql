-- Run before upsert_metrics_teammember.sql: free the addresses the build gives to other members.
-- Identities change between snapshots: a public e-mail moves from one member to another, or a
-- login is renamed and a newer account takes the old name (and with it {login}@example.com).
-- UNIQUE(team, email) is checked row by row, so the upsert alone fails whatever its row order
-- (two members may even swap addresses). The current holder of such an address, a member with
-- another github_id, gives it up first and takes GitHub's per-account noreply form, unique
-- because it embeds the id: a holder that is in the build gets its own new address from the
-- upsert right after; one that the refreshed snapshot no longer has keeps the noreply form.
-- Case-insensitive, like the transform's uniqueness rule. Rows without a github_id are not
-- the loader's: they are never changed (the upsert gives the incoming member the noreply form).
UPDATE metrics_teammember AS d
SET email = left(d.github_id || '+' || d.github_username || '@users.noreply.github.com', 254),
    updated_at = now()
FROM stg_metrics_teammember AS s
JOIN teams_team AS t ON t.slug = s.team_slug
WHERE d.team_id = t.id
  AND d.github_id > ''
  AND d.github_id <> s.github_id
  AND lower(d.email) = lower(s.email)
