-- Simulated daily AI usage (simulation.md §3.3) for active (human) members.
-- A member adopts AI with the project's rate; the pattern (hours, suggestions, acceptance,
-- source Copilot 70 % / Cursor 30 %) is keyed by the member; each Monday-Friday in
-- [as_of - days_back, as_of] has a record with probability 0.85, keyed by (member, date).
CREATE OR REPLACE TABLE out_metrics_aiusagedaily AS
WITH users AS (
    SELECT
        m.github_id,
        2 + 4 * u01('ai_hours', m.github_id) AS base_hours,
        randint('ai_suggestions', m.github_id, 100, 400) AS base_suggestions,
        0.25 + 0.20 * u01('ai_acceptance', m.github_id) AS acceptance,
        CASE WHEN u01('ai_source', m.github_id) < 0.70 THEN 'copilot' ELSE 'cursor' END AS source
    FROM members m
    WHERE m.is_active AND u01('ai_adopt', m.github_id) < (SELECT ai_rate FROM params)
), days AS (
    SELECT d::DATE AS day
    FROM params, range(as_of - days_back, as_of + 1, INTERVAL 1 DAY) t(d)
    WHERE isodow(d) <= 5
), records AS (
    SELECT u.*, d.day, u.github_id || ':' || d.day AS dk
    FROM users u CROSS JOIN days d
    WHERE u01('ai_day', u.github_id || ':' || d.day) < 0.85
), valued AS (
    SELECT *,
        0.7 + 0.6 * u01('ai_variation', dk) AS variation,
        floor(base_suggestions * (0.7 + 0.6 * u01('ai_variation', dk)))::INTEGER AS shown
    FROM records
), accepted AS (
    SELECT *, floor(shown * acceptance * (0.9 + 0.2 * u01('ai_accepted', dk)))::INTEGER AS n_accepted
    FROM valued
)
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    github_id AS member_github_id,
    day AS date,
    source,
    round(base_hours * variation, 2)::DECIMAL(5, 2) AS active_hours,
    shown AS suggestions_shown,
    n_accepted AS suggestions_accepted,
    CASE WHEN shown > 0 THEN round(n_accepted / shown * 100, 2) ELSE 0 END::DECIMAL(5, 2) AS acceptance_rate
FROM accepted;
