-- Team members: one per GitHub account (github_id) seen as contributor, PR author, reviewer or
-- commit author. Deleted users (null ids) give no member. Bots are known by type, not only by a
-- "[bot]" suffix (GraphQL drops it): type Bot in any sighting (for a commit author the REST
-- commit's author object in raw), a "[bot]" login, or a login of known_bots when no sighting
-- says the account is a User. They are kept with is_active = false, so bot reviews and commits
-- keep their author, while the AI usage, survey and weekly-metrics simulations skip them.
-- Identities change: a login can be renamed (and the old name taken by a newer account), a public
-- e-mail can move to another member. GitHub writes an account's current login into every object,
-- so the newest sighting wins: the contributors lists (fetched after all PRs; of two repos the one
-- fetched later, i.e. later in the project's repo list), else the sighting with the latest time
-- (PR updated, review submitted, commit date), then the smallest login. Name and public e-mail
-- come from the newest fetched profile, so an address the member no longer shows is dropped.
CREATE OR REPLACE TABLE accounts AS
WITH seen AS (
    SELECT c.id, c.login, c.type, 1 AS src, c.contributions, c.name, c.email, c.profile_fetched,
        rp.pos AS c_pos, NULL::TIMESTAMPTZ AS seen_at
    FROM snap_contributors c LEFT JOIN repo_pos rp ON rp.repo = c.repo
    UNION ALL
    SELECT author_id, author_login, author_type, 2, 0, NULL, NULL, false, NULL,
        known_at(coalesce(updated_at, created_at))
    FROM snap_pull_requests WHERE author_id IS NOT NULL
    UNION ALL
    SELECT reviewer_id, reviewer_login, reviewer_type, 3, 0, NULL, NULL, false, NULL, known_at(submitted_at)
    FROM snap_reviews WHERE reviewer_id IS NOT NULL
    UNION ALL
    -- The commits table has no author type column; raw (canonical JSON) has it. Parsed only
    -- where it can matter, so a million commits cost a substring search, not a JSON parse each.
    SELECT author_id, author_login,
        CASE WHEN contains(raw, '"type":"Bot"') OR bot_base(author_login) IN (SELECT login FROM known_bots)
            THEN raw->>'$.author.type' END,
        4, 0, NULL, NULL, false, NULL, coalesce(known_git_at(committed_at), known_git_at(authored_at))
    FROM snap_commits WHERE author_id IS NOT NULL
), typed AS (
    SELECT s.*, k.login IS NOT NULL AS known_bot
    FROM seen s LEFT JOIN known_bots k ON k.login = bot_base(s.login)
)
SELECT
    id,
    coalesce(
        first(login ORDER BY src = 1 DESC, c_pos DESC, seen_at DESC NULLS LAST, src, login)
            FILTER (WHERE login IS NOT NULL),
        'user-' || id) AS login,
    nullif(first(name ORDER BY c_pos DESC, login) FILTER (WHERE src = 1 AND profile_fetched), '') AS name,
    nullif(trim(first(email ORDER BY c_pos DESC, login) FILTER (WHERE src = 1 AND profile_fetched)), '')
        AS public_email,
    coalesce(sum(contributions) FILTER (WHERE src = 1), 0) AS contributions,
    bool_or(coalesce(type, '') = 'Bot' OR coalesce(login, '') LIKE '%[bot]')
        OR (bool_or(known_bot) AND NOT bool_or(coalesce(type, 'Bot') <> 'Bot')) AS is_bot
FROM typed
GROUP BY id;

CREATE OR REPLACE TABLE members AS
WITH authored AS (
    SELECT author_id AS id, count(*) AS prs FROM snap_pull_requests GROUP BY 1
), ranked AS (
    SELECT a.*,
        -- The lead: the human with most contributions across repos (then most PRs, lowest id).
        row_number() OVER (ORDER BY a.is_bot, a.contributions DESC, coalesce(p.prs, 0) DESC, a.id)
            AS lead_rank,
        coalesce(a.public_email, a.login || '@example.com') AS wanted_email,
        a.public_email IS NOT NULL AS is_public
    FROM accounts a LEFT JOIN authored p ON p.id = a.id
), emails AS (
    -- metrics_teammember has UNIQUE(team, email): one holder per address (case-insensitive),
    -- a published address before a default one, then the lowest id. The others get GitHub's
    -- own per-account noreply form, unique because it embeds the id. Bots always get that form
    -- (as on GitHub): "[bot]" is not valid in an address.
    SELECT *,
        row_number() OVER (PARTITION BY lower(wanted_email) ORDER BY is_public DESC, id) AS email_rank
    FROM ranked
)
SELECT
    id,
    id::VARCHAR AS github_id,
    login,
    is_bot,
    left(login, 100) AS github_username,
    left(coalesce(name, login), 255) AS display_name,
    CASE WHEN email_rank = 1 AND NOT is_bot THEN wanted_email
         ELSE id || '+' || login || '@users.noreply.github.com' END AS email,
    'jira-' || id AS jira_account_id,
    printf('U%08d', id) AS slack_user_id,
    CASE WHEN lead_rank = 1 AND NOT is_bot THEN 'lead' ELSE 'developer' END AS role,
    NOT is_bot AS is_active
FROM emails;

CREATE OR REPLACE TABLE out_teams_team AS
SELECT team_slug AS slug, team_name AS name FROM params;

CREATE OR REPLACE TABLE out_metrics_teammember AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    github_id, github_username, display_name, email, jira_account_id, slack_user_id, role, is_active
FROM members;
