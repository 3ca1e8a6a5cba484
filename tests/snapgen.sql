-- Synthetic snapshot generator (run by tests/snapgen.py, statements split on ';' + newline).
-- Every value is f(gen seed, stable key) through g01(); PR (repo, number) content never depends on
-- how many PRs are generated, so a bigger snapshot contains the smaller one's PRs unchanged.
-- Variables: seed, as_of (DATE), days_back, n_prs, first_number, n_users, max_members, repos (LIST).

CREATE OR REPLACE MACRO g01(p, k) AS
    (('0x' || substr(md5(getvariable('seed')::VARCHAR || ':' || p || ':' || k), 1, 13))::BIGINT
     / 4503599627370496.0);

CREATE OR REPLACE MACRO pick(lst, u) AS lst[1 + least(floor(u * len(lst))::BIGINT, len(lst) - 1)];

CREATE OR REPLACE TABLE g_repos AS
SELECT unnest(getvariable('repos')) AS repo, generate_subscripts(getvariable('repos'), 1) - 1 AS ridx;

-- Human accounts: ids 1000 + 7 i; a Zipf-like author choice below makes low indexes prolific.
CREATE OR REPLACE TABLE g_users AS
SELECT
    i AS uidx,
    1000 + 7 * i AS id,
    lower(pick(['ana', 'bo', 'chen', 'dana', 'eli', 'femi', 'gus', 'hana', 'ivo', 'jae', 'kai', 'lea'],
               g01('first', i))) || '-' || i AS login,
    pick(['Ana', 'Bo', 'Chen', 'Dana', 'Eli', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jae', 'Kai', 'Léa'],
         g01('first', i)) || ' ' ||
    pick(['Smith', 'Okafor', 'Müller', 'Tanaka', 'García', 'Nguyen', 'Rossi', 'Kowalski'], g01('last', i))
        AS full_name,
    g01('has_name', i) < 0.7 AS has_name,
    g01('has_email', i) < 0.4 AS has_email
FROM range(getvariable('n_users')) t(i);

CREATE OR REPLACE TABLE g_bots AS
SELECT * FROM (VALUES
    ('dependabot[bot]', 49699333),
    ('renovate[bot]', 29139614),
    ('coderabbitai[bot]', 136622811),
    ('copilot-pull-request-reviewer[bot]', 175728472),
    ('github-actions[bot]', 41898282)
) v(login, id);

-- Contributors: the first 30 users (and dependabot in the first repo), per repo.
CREATE OR REPLACE TABLE g_contributors AS
WITH base AS (
    SELECT r.repo, r.ridx, u.login, u.id, 'User' AS type,
           (2000 // (u.uidx + 1) + floor(50 * g01('contrib', r.repo || u.uidx)))::BIGINT AS contributions,
           u.uidx, u.full_name, u.has_name, u.has_email
    FROM g_repos r JOIN g_users u ON u.uidx < 30
    UNION ALL
    SELECT r.repo, r.ridx, 'dependabot[bot]', 49699333, 'Bot', 120, -1, NULL, false, false
    FROM g_repos r WHERE r.ridx = 0
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY repo ORDER BY contributions DESC, login)::INTEGER AS rank
    FROM base
)
SELECT
    repo, login, id, type, contributions, rank,
    CASE WHEN rank <= getvariable('max_members') AND has_name THEN full_name END AS name,
    CASE
        WHEN rank > getvariable('max_members') THEN NULL
        -- Deliberate collisions: users 1 and 2 share a public email; user 3 publishes the
        -- {login}@example.com address that user 4 would get by default.
        WHEN uidx IN (1, 2) THEN 'shared@team.example.org'
        WHEN uidx = 3 THEN (SELECT login FROM g_users WHERE uidx = 4) || '@example.com'
        WHEN has_email THEN replace(lower(login), '-', '.') || '@corp.example.org'
    END AS email,
    rank <= getvariable('max_members') AS profile_fetched,
    '{"id":' || id || ',"login":' || to_json(login) || ',"type":"' || type || '"}' AS raw
FROM ranked;

CREATE OR REPLACE TABLE g_pr0 AS
WITH idx AS (
    SELECT i, r.repo, r.ridx, getvariable('first_number') + i // len(getvariable('repos')) AS number
    FROM range(getvariable('n_prs')) t(i)
    JOIN g_repos r ON r.ridx = i % len(getvariable('repos'))
)
SELECT
    repo, ridx, number, repo || '#' || number AS k,
    g01('who', repo || '#' || number) AS u_who,
    g01('kind', repo || '#' || number) AS u_kind,
    g01('state', repo || '#' || number) AS u_state,
    g01('body', repo || '#' || number) AS u_body,
    g01('ai', repo || '#' || number) AS u_ai,
    (getvariable('as_of')::TIMESTAMPTZ
        - to_days(getvariable('days_back') + 20)
        + to_microseconds(floor(g01('created', repo || '#' || number)
                                * (getvariable('days_back') + 19) * 86400e6)::BIGINT)
    ) AS created_at
FROM idx;

CREATE OR REPLACE TABLE g_pr1 AS
SELECT
    p.*,
    CASE
        WHEN p.u_who < 0.01 THEN NULL
        WHEN p.u_who < 0.05 THEN pick(['dependabot[bot]', 'renovate[bot]'], g01('bot', p.k))
        ELSE (SELECT login FROM g_users
              WHERE uidx = floor(getvariable('n_users') * power(g01('author', p.k), 2))::BIGINT)
    END AS author_login,
    pick(['login flow', 'fixture loader', 'cache layer', 'API client', 'dashboard 📊',
          'search index', 'CI pipeline', 'payment webhook', 'user settings', 'README docs',
          'prefix parser', 'rate limiter'], g01('noun', p.k)) AS noun,
    pick(['Add', 'Fix', 'Update', 'Refactor', 'Improve', 'Remove', 'Implement', 'Tidy', 'Rework',
          'feat: add', 'fix(core):', 'chore:'], g01('verb', p.k)) AS verb,
    g01('jira', p.k) AS u_jira,
    g01('shape', p.k) AS u_shape
FROM g_pr0 p;

CREATE OR REPLACE TABLE g_pr AS
SELECT
    p.*,
    coalesce(u.id, b.id) AS author_id,
    CASE WHEN b.id IS NOT NULL THEN 'Bot' WHEN u.id IS NOT NULL THEN 'User' END AS author_type,
    CASE
        WHEN b.id IS NOT NULL THEN 'Bump ' || pick(['lodash', 'django', 'serde', 'axios'], p.u_jira)
            || ' from 1.' || (p.number % 9) || '.0 to 1.' || (p.number % 9 + 1) || '.0'
        WHEN p.u_kind < 0.03 THEN 'Revert "' || p.verb || ' ' || p.noun || '"'
        WHEN p.u_kind < 0.06 THEN 'Hotfix: ' || p.noun || ' crash'
        WHEN p.u_kind < 0.08 THEN repeat(p.verb || ' ' || p.noun || ' and more ', 30)
        WHEN p.u_jira < 0.30 THEN getvariable('jira') || '-' || (100 + p.number) || ': ' || p.verb || ' '
            || p.noun
        ELSE p.verb || ' ' || p.noun
    END AS title,
    CASE
        WHEN p.u_kind < 0.03 THEN 'revert-' || (p.number - 1) || '-' || replace(p.noun, ' ', '-')
        WHEN p.u_kind >= 0.06 AND p.u_kind < 0.09 THEN 'hotfix/' || replace(p.noun, ' ', '-')
        WHEN p.u_jira >= 0.30 AND p.u_jira < 0.40
            THEN getvariable('jira') || '-' || (5000 + p.number) || '-' || replace(p.noun, ' ', '-')
        ELSE 'feature/' || replace(p.noun, ' ', '-') || '-' || p.number
    END AS head_ref,
    CASE
        WHEN p.u_body < 0.10 THEN NULL
        ELSE 'This change updates the ' || p.noun || '. 🚀' ||
            CASE WHEN p.u_body > 0.97 THEN ' Raw byte: a' || chr(0) || 'b.' ELSE '' END ||
            CASE
                WHEN p.u_ai < 0.06 THEN chr(10) || chr(10) || '🤖 Generated with [Claude Code](https://claude.com/claude-code)'
                WHEN p.u_ai < 0.10 THEN chr(10) || 'I used GitHub Copilot for the tests.'
                WHEN p.u_ai < 0.13 THEN chr(10) || 'Written with Cursor AI, reviewed by hand.'
                WHEN p.u_ai < 0.15 THEN chr(10) || 'Drafted with ChatGPT and Aider.'
                WHEN p.u_ai < 0.16 THEN chr(10) || 'Devin AI session: https://app.devin.ai/sessions/1'
                WHEN p.u_ai < 0.22 THEN chr(10) || 'AI disclosure: No AI tools were used in this PR.'
                WHEN p.u_ai < 0.25 THEN chr(10) || 'I did not use Copilot or Claude for this.'
                ELSE ''
            END
    END AS body,
    CASE WHEN p.u_state < 0.70 THEN 'merged' WHEN p.u_state < 0.82 THEN 'closed' ELSE 'open' END AS fate,
    CASE
        WHEN p.u_shape < 0.30 THEN ['bug']
        WHEN p.u_shape < 0.45 THEN ['feature', 'ui']
        WHEN p.u_shape < 0.55 THEN ['enhancement']
        WHEN p.u_shape < 0.60 THEN ['chore']
        ELSE []::VARCHAR[]
    END AS labels
FROM g_pr1 p
LEFT JOIN g_users u ON u.login = p.author_login
LEFT JOIN g_bots b ON b.login = p.author_login;

-- Commits: 1..7 per PR (mean ~3); 2% of PRs re-use the previous PR's first commit (cherry-pick).
CREATE OR REPLACE TABLE g_commits AS
WITH c AS (
    SELECT p.repo, p.ridx, p.number, p.k, p.author_login, p.author_id, p.created_at, p.title, j,
           p.k || '/' || j AS ck
    FROM g_pr p, range(1 + floor(9 * power(g01('ncommits', p.k), 2))::BIGINT) t(j)
)
SELECT
    c.repo, c.number AS pr_number,
    CASE
        WHEN c.j = 0 AND g01('dupsha', c.k) < 0.05 AND c.number > getvariable('first_number')
            THEN md5(c.repo || '#' || (c.number - 1) || '/0') || substr(md5('x' || c.repo || '#' || (c.number - 1) || '/0'), 1, 8)
        ELSE md5(c.ck) || substr(md5('x' || c.ck), 1, 8)
    END AS sha,
    CASE WHEN c.author_login IS NULL OR g01('cauth', c.ck) < 0.05 THEN NULL
         WHEN g01('cauth', c.ck) < 0.15 THEN (SELECT login FROM g_users WHERE uidx = 0)
         ELSE c.author_login END AS author_login,
    -- most commits precede the PR; about a third of the later ones are fix-ups pushed after it
    -- was opened (so after some reviews: the iteration metrics need both kinds)
    CASE WHEN c.j > 0 AND g01('late', c.ck) < 0.35
        THEN c.created_at + to_microseconds(floor((0.5 + 95 * g01('cdate', c.ck)) * 3600e6)::BIGINT)
        ELSE c.created_at - to_microseconds(floor(g01('cdate', c.ck) * 48 * 3600e6)::BIGINT)
    END AS authored_at,
    CASE
        WHEN g01('msg', c.ck) < 0.05 THEN c.title || chr(10) || chr(10) || 'Co-authored-by: Claude <noreply@anthropic.com>'
        WHEN g01('msg', c.ck) < 0.08 THEN 'wip' || chr(10) || chr(10) || 'Co-Authored-By: Copilot <175728472+Copilot@users.noreply.github.com>'
        WHEN g01('msg', c.ck) < 0.10 THEN 'tweak' || chr(10) || chr(10) || 'Co-authored-by: Cursor Agent <cursoragent@cursor.com>'
        WHEN g01('msg', c.ck) < 0.13 THEN 'pair work' || chr(10) || chr(10) || 'Co-authored-by: Jane Doe <jane@example.org>'
        WHEN g01('msg', c.ck) < 0.14 THEN repeat('long message ', 60)
        WHEN g01('msg', c.ck) < 0.15 THEN 'nul' || chr(0) || 'byte'
        ELSE 'Commit ' || c.j || ' for ' || c.title
    END AS message,
    floor(150 * power(g01('cadd', c.ck), 3))::BIGINT AS additions,
    floor(80 * power(g01('cdel', c.ck), 3))::BIGINT AS deletions,
    c.j
FROM c;

CREATE OR REPLACE TABLE g_files AS
WITH f AS (
    SELECT p.repo, p.number, p.k, j, p.k || '/' || j AS fk
    FROM g_pr p, range(1 + floor(9 * power(g01('nfiles', p.k), 2))::BIGINT) t(j)
)
SELECT
    f.repo, f.number AS pr_number,
    CASE WHEN g01('longname', f.fk) < 0.01 THEN repeat('deep/', 110) || 'file_' || f.j || '.py'
    ELSE pick(['src/components/', 'src/hooks/', 'app/api/', 'pages/api/', 'server/', 'src/services/',
               'tests/', 'src/', 'docs/', '', '.github/workflows/', 'lib/', 'web/'], g01('dir', f.fk))
        || pick(['Button', 'user_service', 'index', 'settings', 'README', 'Dockerfile', 'test_api',
                 'app.spec', 'schema', '.eslintrc', 'prefix_fixture', 'main'], g01('base', f.fk))
        || '_' || f.j
        || pick(['.tsx', '.ts', '.js', '.py', '.go', '.md', '.json', '.yml', '.css', '.sql', '', '.rs'],
                g01('ext', f.fk))
    END AS filename,
    pick(['modified', 'modified', 'modified', 'modified', 'modified', 'modified', 'added', 'added',
          'removed', 'renamed', 'copied', 'changed', 'unchanged'], g01('fstatus', f.fk)) AS status,
    floor(300 * power(g01('fadd', f.fk), 3))::BIGINT AS additions,
    floor(120 * power(g01('fdel', f.fk), 3))::BIGINT AS deletions
FROM f;

-- Reviews: 0..5 per PR; bots, deleted reviewers, self-comments, DISMISSED and PENDING included.
CREATE OR REPLACE TABLE g_reviews AS
WITH r AS (
    SELECT p.repo, p.ridx, p.number, p.k, p.author_login, p.created_at, j, p.k || '/' || j AS rk
    FROM g_pr p, range(floor(6 * power(g01('nreviews', p.k), 1.5))::BIGINT) t(j)
), who AS (
    SELECT r.*, g01('reviewer', r.rk) AS u, g01('rstate', r.rk) AS us
    FROM r
)
SELECT
    w.repo, w.number AS pr_number,
    500000000 + w.ridx * 50000000 + w.number * 10 + w.j AS id,
    CASE
        WHEN w.u < 0.10 THEN 'coderabbitai[bot]'
        WHEN w.u < 0.13 THEN 'copilot-pull-request-reviewer[bot]'
        WHEN w.u < 0.15 THEN NULL
        WHEN w.u < 0.23 THEN w.author_login
        ELSE (SELECT login FROM g_users
              WHERE uidx = floor(getvariable('n_users') * power(g01('rev_user', w.rk), 1.5))::BIGINT)
    END AS reviewer_login,
    CASE WHEN w.us < 0.45 THEN 'APPROVED' WHEN w.us < 0.60 THEN 'CHANGES_REQUESTED'
         WHEN w.us < 0.90 THEN 'COMMENTED' WHEN w.us < 0.96 THEN 'DISMISSED' ELSE 'PENDING' END AS state,
    w.created_at + to_microseconds(floor((0.05 + 72 * power(g01('rtime', w.rk), 2)) * 3600e6)::BIGINT)
        AS submitted_at,
    pick(['', 'LGTM 👍', 'Please add tests.', 'Nit: naming'], g01('rbody', w.rk)) AS body
FROM who w;

CREATE OR REPLACE TABLE s_contributors AS
SELECT repo, login, id, type, contributions, rank, name, email, profile_fetched, raw
FROM g_contributors;

CREATE OR REPLACE TABLE s_files AS
SELECT
    repo, pr_number, filename, status, additions, deletions, additions + deletions AS changes,
    CASE WHEN status = 'renamed' THEN 'old/' || filename END AS previous_filename,
    NULL::VARCHAR AS patch,
    '{"filename":' || to_json(filename) || ',"status":"' || status || '"}' AS raw
FROM g_files;

CREATE OR REPLACE TABLE s_commits AS
SELECT
    c.repo, c.pr_number, c.sha, c.author_login,
    coalesce(u.id, b.id) AS author_id,
    coalesce(u.full_name, c.author_login, 'Someone') AS author_name,
    coalesce(c.author_login, 'someone') || '@users.example.org' AS author_email,
    c.author_login AS committer_login,
    c.authored_at,
    c.authored_at + INTERVAL 5 MINUTE AS committed_at,
    c.message,
    1::INTEGER AS parents_count,
    c.additions, c.deletions,
    '{"sha":"' || c.sha || '"}' AS raw
FROM g_commits c
LEFT JOIN g_users u ON u.login = c.author_login
LEFT JOIN g_bots b ON b.login = c.author_login;

CREATE OR REPLACE TABLE s_pull_requests AS
WITH fs AS (
    SELECT repo, pr_number, sum(additions)::BIGINT AS additions, sum(deletions)::BIGINT AS deletions,
           count(*) AS changed_files
    FROM g_files GROUP BY ALL
), cs AS (
    SELECT repo, pr_number, count(*) AS commits_count, arg_max(sha, j) AS head_sha
    FROM g_commits GROUP BY ALL
), t AS (
    SELECT p.*,
        CASE WHEN p.fate = 'merged' THEN
            p.created_at + to_microseconds(
                CASE WHEN g01('zero', p.k) < 0.03 THEN 0
                ELSE floor((0.2 + 240 * power(g01('cycle', p.k), 3)) * 3600e6)::BIGINT END)
        END AS merged_at,
        CASE WHEN p.fate = 'closed' THEN
            p.created_at + to_microseconds(floor((1 + 300 * g01('close', p.k)) * 3600e6)::BIGINT)
        END AS closed_only_at
    FROM g_pr p
)
SELECT
    t.repo, t.number,
    100000000 + t.ridx * 10000000 + t.number AS id,
    'PR_kw' || (100000000 + t.ridx * 10000000 + t.number) AS node_id,
    t.title, t.body,
    CASE WHEN t.fate = 'open' THEN 'open' ELSE 'closed' END AS state,
    t.fate = 'open' AND g01('draft', t.k) < 0.2 AS draft,
    t.author_login, t.author_id, t.author_type,
    CASE WHEN t.author_login IS NULL THEN NULL ELSE 'CONTRIBUTOR' END AS author_association,
    t.created_at,
    coalesce(t.merged_at, t.closed_only_at, t.created_at) AS updated_at,
    coalesce(t.merged_at, t.closed_only_at) AS closed_at,
    t.merged_at,
    t.head_ref, 'main' AS base_ref, cs.head_sha,
    CASE WHEN t.merged_at IS NOT NULL THEN md5('merge' || t.k) || substr(md5('merge2' || t.k), 1, 8) END
        AS merge_commit_sha,
    fs.additions, fs.deletions, fs.changed_files, cs.commits_count,
    t.labels,
    CASE WHEN g01('milestone', t.k) < 0.2 THEN 'v1.' || (t.number % 5) END AS milestone,
    CASE WHEN g01('assign', t.k) < 0.3 AND t.author_login IS NOT NULL THEN [t.author_login]
         ELSE []::VARCHAR[] END AS assignees,
    []::VARCHAR[] AS requested_reviewers,
    false AS commits_truncated, false AS files_truncated,
    '{"id":' || (100000000 + t.ridx * 10000000 + t.number) || ',"number":' || t.number || '}' AS raw
FROM t
JOIN fs ON fs.repo = t.repo AND fs.pr_number = t.number
JOIN cs ON cs.repo = t.repo AND cs.pr_number = t.number;

CREATE OR REPLACE TABLE s_reviews AS
SELECT
    r.repo, r.pr_number, r.id, r.reviewer_login,
    coalesce(u.id, b.id) AS reviewer_id,
    CASE WHEN b.id IS NOT NULL THEN 'Bot' WHEN u.id IS NOT NULL THEN 'User' END AS reviewer_type,
    r.state,
    CASE WHEN r.state <> 'PENDING' THEN r.submitted_at END AS submitted_at,
    r.body,
    p.head_sha AS commit_id,
    CASE WHEN r.reviewer_login IS NULL THEN NULL ELSE 'MEMBER' END AS author_association,
    '{"id":' || r.id || ',"state":"' || r.state || '"}' AS raw
FROM g_reviews r
JOIN s_pull_requests p ON p.repo = r.repo AND p.number = r.pr_number
LEFT JOIN g_users u ON u.login = r.reviewer_login
LEFT JOIN g_bots b ON b.login = r.reviewer_login;

-- Check runs: 0..3 per PR on its head commit.
CREATE OR REPLACE TABLE s_check_runs AS
WITH c AS (
    SELECT p.repo, p.number, p.head_sha, p.created_at, p.id AS pr_id, j, p.repo || '#' || p.number || '/' || j AS ck
    FROM s_pull_requests p, range(floor(4 * g01('nchecks', p.repo || '#' || p.number))::BIGINT) t(j)
)
SELECT
    c.repo, c.number AS pr_number, c.head_sha,
    c.pr_id * 10 + c.j AS id,
    pick(['build', 'test', 'lint', 'e2e'], g01('cname', c.ck)) AS name,
    CASE WHEN g01('cstatus', c.ck) < 0.9 THEN 'completed' WHEN g01('cstatus', c.ck) < 0.95 THEN 'in_progress'
         ELSE 'queued' END AS status,
    CASE WHEN g01('cstatus', c.ck) < 0.9 THEN
        pick(['success', 'success', 'success', 'failure', 'skipped', 'cancelled', 'startup_failure'],
             g01('concl', c.ck)) END AS conclusion,
    CASE WHEN g01('cstatus', c.ck) < 0.95 THEN c.created_at + INTERVAL 2 MINUTE END AS started_at,
    CASE WHEN g01('cstatus', c.ck) < 0.9 THEN
        c.created_at + INTERVAL 2 MINUTE + to_microseconds(floor(g01('cdur', c.ck) * 900e6)::BIGINT) END
        AS completed_at,
    'github-actions' AS app_slug,
    '{"id":' || (c.pr_id * 10 + c.j) || '}' AS raw
FROM c;

-- Review comments (on the diff): 0..4 per PR; bots, deleted users, the author answering, replies,
-- outdated comments (NULL line), over-long paths and NUL characters included.
CREATE OR REPLACE TABLE g_review_comments AS
WITH c AS (
    SELECT p.repo, p.ridx, p.number, p.k, p.author_login, p.created_at, j, p.k || '/rc' || j AS ck
    FROM g_pr p, range(floor(5 * power(g01('nrcomments', p.k), 2))::BIGINT) t(j)
)
SELECT
    c.repo, c.number AS pr_number, c.j,
    700000000 + c.ridx * 50000000 + c.number * 10 + c.j AS id,
    500000000 + c.ridx * 50000000 + c.number * 10 AS review_id,
    CASE
        WHEN g01('rcauthor', c.ck) < 0.15 THEN 'coderabbitai[bot]'
        WHEN g01('rcauthor', c.ck) < 0.23 THEN NULL
        WHEN g01('rcauthor', c.ck) < 0.38 THEN c.author_login
        ELSE (SELECT login FROM g_users
              WHERE uidx = floor(getvariable('n_users') * power(g01('rc_user', c.ck), 1.5))::BIGINT)
    END AS author_login,
    CASE
        WHEN g01('rcbody', c.ck) < 0.04 THEN 'nul' || chr(0) || 'in a comment'
        ELSE pick(['Nit: rename this.', 'Could this be a constant?', '👍 looks right', 'Why not reuse the helper?',
                   'This breaks on empty input.', ''], g01('rcbody', c.ck))
    END AS body,
    CASE WHEN g01('rcpath', c.ck) < 0.04 THEN repeat('very/', 110) || 'long_' || c.j || '.py'
         ELSE 'src/' || pick(['api', 'web', 'core', 'tests'], g01('rcpath', c.ck)) || '/file_' || c.j || '.py'
    END AS path,
    CASE WHEN g01('rcline', c.ck) < 0.10 THEN NULL ELSE 1 + floor(400 * g01('rcline', c.ck))::BIGINT END AS line,
    1 + floor(400 * g01('rcoline', c.ck))::BIGINT AS original_line,
    CASE WHEN c.j > 0 AND g01('rcreply', c.ck) < 0.35 THEN 700000000 + c.ridx * 50000000 + c.number * 10 + c.j - 1
    END AS in_reply_to_id,
    c.created_at + to_microseconds(floor((0.1 + 96 * g01('rctime', c.ck)) * 3600e6)::BIGINT) AS created_at,
    g01('rcedit', c.ck) < 0.2 AS edited
FROM c;

CREATE OR REPLACE TABLE s_review_comments AS
SELECT
    r.repo, r.pr_number, r.id, r.review_id, r.author_login,
    coalesce(u.id, b.id) AS author_id,
    CASE WHEN b.id IS NOT NULL THEN 'Bot' WHEN u.id IS NOT NULL THEN 'User' END AS author_type,
    r.body, r.path, r.line, r.original_line, r.in_reply_to_id,
    p.head_sha AS commit_id,
    r.created_at,
    CASE WHEN r.edited THEN r.created_at + INTERVAL 7 MINUTE ELSE r.created_at END AS updated_at,
    CASE WHEN r.author_login IS NULL THEN NULL ELSE 'MEMBER' END AS author_association,
    '{"id":' || r.id || ',"path":' || to_json(r.path) || '}' AS raw
FROM g_review_comments r
JOIN s_pull_requests p ON p.repo = r.repo AND p.number = r.pr_number
LEFT JOIN g_users u ON u.login = r.author_login
LEFT JOIN g_bots b ON b.login = r.author_login;

-- Conversation comments: 0..4 per PR; CI bots, deleted users and the author included.
CREATE OR REPLACE TABLE g_issue_comments AS
WITH c AS (
    SELECT p.repo, p.ridx, p.number, p.k, p.author_login, p.created_at, j, p.k || '/ic' || j AS ck
    FROM g_pr p, range(floor(5 * power(g01('nicomments', p.k), 2))::BIGINT) t(j)
)
SELECT
    c.repo, c.number AS pr_number,
    900000000 + c.ridx * 50000000 + c.number * 10 + c.j AS id,
    CASE
        WHEN g01('icauthor', c.ck) < 0.10 THEN 'github-actions[bot]'
        WHEN g01('icauthor', c.ck) < 0.13 THEN NULL
        WHEN g01('icauthor', c.ck) < 0.43 THEN c.author_login
        ELSE (SELECT login FROM g_users
              WHERE uidx = floor(getvariable('n_users') * power(g01('ic_user', c.ck), 1.5))::BIGINT)
    END AS author_login,
    pick(['Thanks!', 'Rebased on main.', 'Any update here?', 'CI is green now 🎉', 'Closing in favour of the new PR.'],
         g01('icbody', c.ck)) AS body,
    c.created_at + to_microseconds(floor((0.2 + 120 * g01('ictime', c.ck)) * 3600e6)::BIGINT) AS created_at,
    g01('icedit', c.ck) < 0.1 AS edited
FROM c;

CREATE OR REPLACE TABLE s_issue_comments AS
SELECT
    i.repo, i.pr_number, i.id, i.author_login,
    coalesce(u.id, b.id) AS author_id,
    CASE WHEN b.id IS NOT NULL THEN 'Bot' WHEN u.id IS NOT NULL THEN 'User' END AS author_type,
    i.body, i.created_at,
    CASE WHEN i.edited THEN i.created_at + INTERVAL 3 MINUTE ELSE i.created_at END AS updated_at,
    CASE WHEN i.author_login IS NULL THEN NULL ELSE 'CONTRIBUTOR' END AS author_association,
    '{"id":' || i.id || '}' AS raw
FROM g_issue_comments i
LEFT JOIN g_users u ON u.login = i.author_login
LEFT JOIN g_bots b ON b.login = i.author_login;
