-- Shared macros: the deterministic uniform draw and the text rules of tests/rules.py.

-- A uniform in [0, 1) from (seed, purpose, key): the first 13 hex digits (52 bits) of
-- md5("seed:purpose:key"). md5 is the same in every DuckDB version, unlike hash() or random().
CREATE OR REPLACE MACRO u01(purpose, key) AS
    (('0x' || substr(md5(getvariable('seed')::VARCHAR || ':' || purpose || ':' || key), 1, 13))::BIGINT
     / 4503599627370496.0);

-- An integer uniform in [lo, hi] (like random.randint).
CREATE OR REPLACE MACRO randint(purpose, key, lo, hi) AS
    (lo + floor(u01(purpose, key) * (hi - lo + 1))::BIGINT);

-- Jira key of a PR, mirroring tests.rules.parse_jira_key (the rule and why: transform/README.md,
-- "Jira keys"). A key is PREFIX-<digits> not inside a word and not followed by a letter, or by
-- "." / "-" and a digit (GPT-4o, TLS-1.3, dlt-1.46.3, CVE-2021-23337 are names and versions). In
-- this order: the project's own key in uppercase anywhere in the title; the own key in the branch,
-- uppercase anywhere, in another case only at the start of the branch or of a "/" segment
-- ("ftl-42-session-timeout") and only when the key is not also a word of the project's repo names
-- (nuxt-3 in nuxt/nuxt is a version); another project's key (uppercase, 2-10 letters/digits, not a
-- standard or product id of jira_not_keys()) only in a ticket position: the title's first word
-- (after an optional "type(scope):" and "[" or "("), in brackets in the title, the start of the
-- branch or of a "/" segment. A key longer than 50 characters (the column) is skipped. No key: ''.
CREATE OR REPLACE MACRO jira_not_keys() AS [
    'UTF', 'UCS', 'ISO', 'IEC', 'IEEE', 'ANSI', 'ECMA', 'ES', 'TC', 'RFC', 'BCP', 'PEP', 'JEP',
    'JSR', 'KEP', 'PSR', 'WCAG', 'CVE', 'CWE', 'CAPEC', 'GHSA', 'PYSEC', 'RUSTSEC', 'GO', 'OSV',
    'RHSA', 'USN', 'DSA', 'SNYK', 'OWASP', 'NIST', 'FIPS', 'SOC', 'PCI', 'CIS', 'SHA', 'MD', 'CRC',
    'AES', 'DES', 'RSA', 'HMAC', 'ECDSA', 'PKCS', 'TLS', 'SSL', 'HTTP', 'IPV', 'USB', 'HDMI', 'DDR',
    'PCIE', 'LTE', 'WPA', 'MPEG', 'AVC', 'HEVC', 'GPT', 'LLAMA', 'PHI', 'QWEN', 'K8S', 'K3S', 'X86',
    'ARM', 'WIN', 'CP', 'IE', 'COVID', 'PR', 'MR', 'GH'];

-- Every KEY-<digits> token with the character before it and a tail that disqualifies it.
CREATE OR REPLACE MACRO jira_tokens(text) AS
    regexp_extract_all(text, '(^|[^A-Za-z0-9])([A-Za-z][A-Za-z0-9]*)-([0-9]+)([A-Za-z]|[.-][0-9])?');
-- A token's parts: the character before it ('' at the start), the key, and whether it has no tail.
CREATE OR REPLACE MACRO jira_tok_pre(m) AS CASE WHEN regexp_matches(m, '^[A-Za-z]') THEN '' ELSE left(m, 1) END;
CREATE OR REPLACE MACRO jira_tok_key(m) AS regexp_extract(m, '[A-Za-z][A-Za-z0-9]*-[0-9]+');
CREATE OR REPLACE MACRO jira_tok_clean(m) AS length(m) = length(jira_tok_pre(m)) + length(jira_tok_key(m));

-- True when the own key is also a word of the repos' names (DLT for dlt-hub/dlt).
CREATE OR REPLACE MACRO jira_key_is_name(own, repos) AS
    coalesce(own, '') <> ''
    AND list_contains(flatten([string_split_regex(lower(r), '[^a-z0-9]+') FOR r IN repos]), lower(own));

CREATE OR REPLACE MACRO jira_own_keys(text, own, branch, own_is_name) AS CASE WHEN coalesce(own, '') = ''
    THEN []::VARCHAR[] ELSE
    [upper(jira_tok_key(m))
     FOR m IN jira_tokens(text)
     IF jira_tok_clean(m)
        AND upper(split_part(jira_tok_key(m), '-', 1)) = upper(own)
        AND (split_part(jira_tok_key(m), '-', 1) = upper(own)
             OR (branch AND jira_tok_pre(m) IN ('', '/') AND NOT own_is_name))
        AND length(jira_tok_key(m)) <= 50]
END;

CREATE OR REPLACE MACRO jira_foreign(key) AS
    regexp_full_match(split_part(key, '-', 1), '[A-Z][A-Z0-9]{1,9}')
    AND NOT list_contains(jira_not_keys(), split_part(key, '-', 1))
    AND length(key) <= 50;

CREATE OR REPLACE MACRO jira_title_head_re() AS
    '^[ \t]*(?:[A-Za-z]+(?:\([^)]*\))?!?:[ \t]*)?[\[(]?([A-Z][A-Z0-9]{1,9}-[0-9]+)([A-Za-z]|[.-][0-9])?';

CREATE OR REPLACE MACRO jira_foreign_title_keys(title) AS [k FOR k IN
    CASE WHEN regexp_extract(title, jira_title_head_re(), 1) <> ''
              AND regexp_extract(title, jira_title_head_re(), 2) = ''
         THEN [regexp_extract(title, jira_title_head_re(), 1)] ELSE []::VARCHAR[] END
    || regexp_extract_all(title, '[\[(]([A-Z][A-Z0-9]{1,9}-[0-9]+)[\])]', 1)
    IF jira_foreign(k)];

CREATE OR REPLACE MACRO jira_foreign_branch_keys(branch) AS
    [jira_tok_key(m) FOR m IN jira_tokens(branch)
     IF jira_tok_clean(m) AND jira_tok_pre(m) IN ('', '/') AND jira_foreign(jira_tok_key(m))];

CREATE OR REPLACE MACRO jira_key_in(title, head_ref, own, own_is_name) AS coalesce((
    jira_own_keys(coalesce(title, ''), own, false, own_is_name)
    || jira_own_keys(coalesce(head_ref, ''), own, true, own_is_name)
    || jira_foreign_title_keys(coalesce(title, '')) || jira_foreign_branch_keys(coalesce(head_ref, ''))
)[1], '');

CREATE OR REPLACE MACRO jira_key_of(title, head_ref) AS jira_key_in(
    title, head_ref, getvariable('jira_key'), jira_key_is_name(getvariable('jira_key'), getvariable('repos')));

-- File category (metrics-schema.md §1.7), mirroring tests.rules.categorize_file.
-- "path contains one of the folders" is one regex per tier: a single scan instead of 100 contains().
CREATE OR REPLACE MACRO cf_any(haystack, needles) AS
    len([n FOR n IN needles IF contains(haystack, n)]) > 0;

CREATE OR REPLACE MACRO cf_decide(slashed, base, ext) AS CASE
    WHEN regexp_matches(slashed, '/(?:tests|test|__tests__)/')
        OR starts_with(base, 'test_') OR starts_with(base, 'test.') OR base = 'tests.py'
        OR cf_any(base, ['_test.', '.test.', '.spec.', '_spec.'])
        OR len([s FOR s IN ['_test.go', '_test.py', '_test.rb', '_test.rs', '_test.ts', '_test.js']
                IF ends_with(base, s)]) > 0
        THEN 'test'
    WHEN ext IN ('js', 'ts', 'mjs', 'cjs') THEN CASE
        WHEN regexp_matches(slashed, '/(?:pages/api|app/api|routes/api|server/api)/') THEN 'backend'
        WHEN regexp_matches(slashed, '/(?:components|hooks|pages|frontend|ui|views|layouts|styles|client|public|static|assets|widgets|screens|containers|store|stores|redux|context|contexts|providers|theme|themes|icons|features|templates|web|www|app|src/app)/') THEN 'frontend'
        WHEN regexp_matches(slashed, '/(?:api|apis|services|service|models|model|server|servers|scripts|script|controllers|controller|routes|router|routers|middleware|middlewares|db|database|migrations|migration|workers|worker|jobs|job|queue|queues|cron|handlers|handler|resolvers|graphql|schema|schemas|repositories|repository|dao|entities|entity|backend|functions|lambda|lambdas|cli|bin|tasks|commands|auth|security|infra|infrastructure|deploy|tools|build|config|configs|prisma|trpc|webhooks|integrations|seeds|seeders|fixtures|mailers|emails|events|listeners|subscribers|consumers|producers|plugins)/') THEN 'backend'
        ELSE 'javascript'
    END
    WHEN ext IN ('jsx', 'tsx', 'vue', 'svelte', 'astro', 'css', 'scss', 'sass', 'less', 'styl',
        'html', 'htm', 'hbs', 'handlebars', 'ejs', 'pug', 'erb', 'twig', 'liquid', 'njk')
        THEN 'frontend'
    WHEN ext IN ('py', 'go', 'rs', 'java', 'rb', 'php', 'c', 'cc', 'cpp', 'cxx', 'h', 'hpp', 'cs',
        'kt', 'kts', 'scala', 'swift', 'm', 'mm', 'ex', 'exs', 'erl', 'hs', 'clj', 'lua', 'pl', 'r',
        'dart', 'sh', 'bash', 'zsh', 'ps1', 'sql', 'proto', 'groovy', 'jl', 'zig', 'ml', 'fs', 'vb',
        'sol', 'graphql', 'gql', 'prisma')
        THEN 'backend'
    WHEN ext IN ('md', 'mdx', 'rst', 'txt', 'adoc', 'asciidoc', 'org', 'tex', 'rtf') THEN 'docs'
    WHEN ext IN ('json', 'jsonc', 'json5', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'xml', 'env',
        'lock', 'properties', 'plist', 'gradle', 'tf', 'hcl', 'editorconfig', 'config')
        OR base IN ('dockerfile', 'makefile', 'procfile', 'gemfile', 'rakefile', 'vagrantfile',
            'jenkinsfile', 'brewfile', 'podfile', 'codeowners', 'justfile', 'caddyfile')
        OR starts_with(base, 'dockerfile') OR starts_with(base, '.')
        THEN 'config'
    ELSE 'other'
END;

CREATE OR REPLACE MACRO cf_base(lower_path) AS regexp_extract(lower_path, '[^/]*$');

-- Leading dots belong to a dotfile's name, not to an extension (".env" has none).
CREATE OR REPLACE MACRO cf_ext(base) AS regexp_extract(ltrim(base, '.'), '\.([^.]*)$', 1);

-- For one value; bulk queries compute the three inputs as columns first (see out_metrics_prfile),
-- because a macro repeats its argument expressions at every use.
CREATE OR REPLACE MACRO categorize_file(path) AS cf_decide(
    '/' || lower(path),
    cf_base(lower(path)),
    cf_ext(cf_base(lower(path)))
);

-- Story points from lines changed (simulation.md §3.2).
CREATE OR REPLACE MACRO story_points_of(lines) AS CASE
    WHEN lines < 50 THEN 1 WHEN lines < 150 THEN 2 WHEN lines < 400 THEN 3 WHEN lines < 800 THEN 5
    ELSE 8 END;

-- Known times (transform/README.md, "Timestamps"): a time outside its possible range is unknown
-- (NULL), never clamped. Go's zero time 0001-01-01T00:00:00Z (GitHub's started_at of a check run
-- that never started), the Unix epoch 1970-01-01T00:00:00Z (a zero Unix time), "end of time"
-- 9999-... values and any time after the extraction are all outside.
-- The latest possible time: the snapshot's extraction (manifest finished_at) plus one day of
-- clock skew between GitHub and the extracting machine. Without the variable (a bare macro
-- test), no upper bound but the year 9999.
CREATE OR REPLACE MACRO latest_known_at() AS
    coalesce(getvariable('extracted_at')::TIMESTAMPTZ + INTERVAL 1 DAY, TIMESTAMPTZ '9999-01-01 00:00:00+00');

-- A time of a GitHub object (PR, review, check run, comment): from 2008-01-01 (GitHub opened in
-- 2008; no PR, review or check run predates it) to latest_known_at(). Every GitHub time the build
-- writes or computes a duration, a first-X, a window, a simulated date or a weekly bucket from
-- passes through it.
CREATE OR REPLACE MACRO known_at(ts) AS
    CASE WHEN ts >= TIMESTAMPTZ '2008-01-01 00:00:00+00' AND ts <= latest_known_at() THEN ts END;

-- A git author or committer date: git history imported from older systems is legitimately older
-- than GitHub, so any time after the Unix epoch (exclusive: 0 is git's "no date") up to
-- latest_known_at().
CREATE OR REPLACE MACRO known_git_at(ts) AS
    CASE WHEN ts > TIMESTAMPTZ '1970-01-01 00:00:00+00' AND ts <= latest_known_at() THEN ts END;

-- Hours between two timestamps, numeric(10,2); equal timestamps give 0.00, not NULL.
-- Rounded half away from zero in integer arithmetic, so no float rounding enters.
CREATE OR REPLACE MACRO hundredths_of_hours(us) AS
    CASE WHEN us >= 0 THEN (us + 18000000) // 36000000 ELSE -((18000000 - us) // 36000000) END;

-- Durations are NULL, never clamped, when an end is unknown (NULL or a sentinel) or reversed
-- (b before a, e.g. merged before created): no number would be right, and a NULL stays out of
-- every average. Between known timestamps the hours always fit numeric(10,2).
CREATE OR REPLACE MACRO hours_between(a, b) AS
    CASE WHEN known_at(b) >= known_at(a) THEN
        (hundredths_of_hours(epoch_us(b) - epoch_us(a))::DECIMAL(18, 0) * 0.01)::DECIMAL(10, 2)
    END;

-- Whole seconds from a to b, truncated; NULL as hours_between(), and when the span does not fit
-- the int column (more than 68 years; cannot happen between known GitHub times, kept as a guard).
CREATE OR REPLACE MACRO seconds_between(a, b) AS
    CASE WHEN known_at(b) >= known_at(a) AND epoch_us(b) - epoch_us(a) < 2147483648000000 THEN
        ((epoch_us(b) - epoch_us(a)) // 1000000)::INTEGER
    END;
