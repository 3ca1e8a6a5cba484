-- Daily insights (simulation.md §3.5): the seven rules the metrics app registers for its daily
-- insight task (AIAdoptionTrend, CycleTimeTrend, HotfixSpike, RevertSpike, CIFailureRate,
-- RedundantReviewer, UnlinkedPRs; yanchuk/tformance apps/metrics/insights/rules.py and the
-- dashboard queries they call), evaluated for EVERY day d of [as_of - days_back, as_of], as the
-- app's daily task would have done had it run through the window, each on the data as of the end
-- of day d (UTC): nothing merged, answered or reviewed after d is seen.
-- This file runs after the shift (90_ and later), so as_of and every date are already shifted.
--
-- Facts taken from the app, as it computes them on its own database:
--   * "merged PRs in [a, b]" = state merged, merged_at in [a 00:00, b 23:59:59.999999], with an
--     author (author_id NOT NULL: a deleted user's PR does not count; bots are members here, so
--     their PRs do, as they would in the seeded database);
--   * weeks are TruncWeek(merged_at): Mondays (UTC);
--   * AI adoption reads the surveys (PRs that have one; AI = the author answered "AI-assisted",
--     by the end of d); cycle time the PR's cycle_time_hours; 4-week trends compare the first
--     and the last week with data in [d - 28 days, d], needing at least two weeks;
--   * hotfix: the 7 days ending on d against the 28 days before them (average per week);
--   * CI: check runs with status completed of PRs merged in [d - 28, d]; failure rate =
--     100 - pass rate, pass rate = success / all, rounded to 2 places;
--   * redundant reviewers: per PR and reviewer the last approved/changes_requested review, pairs
--     of reviewers on the same PR (reviewer_1 = the lower member id), redundant with >= 10 PRs
--     together and an agreement rate (rounded to 2 places) >= 95 %; the 3 pairs with most PRs;
--     the app counts all reviews ever synced, here those submitted by the end of d;
--   * unlinked: merged PRs in [d - 28, d] with an empty jira_key, at least 5 (counted up to 1000).
-- Titles, descriptions and metric values are worded and rounded as the app's rules do
-- (printf '%.0f' / '%.1f' round like Python's format).

CREATE OR REPLACE TABLE ins_days AS
SELECT d::DATE AS day
FROM params, range(as_of - days_back, as_of + 1, INTERVAL 1 DAY) t(d);

-- Merged PRs with an author, with their survey (if any).
CREATE OR REPLACE TABLE ins_pr AS
SELECT
    p.github_repo, p.github_pr_id, p.merged_at,
    p.merged_at::DATE AS merged_day,
    date_trunc('week', p.merged_at)::DATE AS week,
    p.cycle_time_hours, p.is_revert, p.is_hotfix, p.jira_key,
    s.github_pr_id IS NOT NULL AS surveyed,
    CASE WHEN s.author_ai_assisted THEN s.author_responded_at END AS ai_answered_at
FROM out_metrics_pullrequest p
LEFT JOIN out_metrics_prsurvey s ON s.github_repo = p.github_repo AND s.github_pr_id = p.github_pr_id
WHERE p.merged_at IS NOT NULL AND p.state = 'merged' AND p.author_github_id IS NOT NULL;

-- Per day and week of its 4-week window: AI adoption (surveyed PRs) and mean cycle time.
CREATE OR REPLACE TABLE ins_weekly AS
SELECT
    d.day, p.week,
    count(*) FILTER (WHERE p.surveyed) AS surveyed,
    count(*) FILTER (WHERE p.surveyed AND p.ai_answered_at < (d.day + 1)::TIMESTAMPTZ) AS ai,
    count(*) AS merged,
    -- exact decimal sum divided once (Avg over numeric in the app)
    sum(p.cycle_time_hours) AS cyc_sum, count(p.cycle_time_hours) AS cyc_n
FROM ins_days d
JOIN ins_pr p ON p.merged_day BETWEEN d.day - 28 AND d.day
GROUP BY d.day, p.week;

CREATE OR REPLACE TABLE ins_trend AS
WITH ai AS (
    SELECT day, week, round(ai * 100.0 / surveyed, 2) AS value
    FROM ins_weekly WHERE surveyed > 0
), ct AS (
    SELECT day, week, coalesce(CASE WHEN cyc_n > 0 THEN (cyc_sum / cyc_n)::DOUBLE END, 0.0) AS value
    FROM ins_weekly
)
SELECT 'ai_adoption' AS metric, day,
    list({'week': strftime(week, '%Y-%m-%d'), 'value': value} ORDER BY week) AS trend,
    arg_min(value, week) AS first_value, arg_max(value, week) AS last_value, count(*) AS weeks
FROM ai GROUP BY day
UNION ALL
SELECT 'cycle_time', day,
    list({'week': strftime(week, '%Y-%m-%d'), 'value': value} ORDER BY week),
    arg_min(value, week), arg_max(value, week), count(*)
FROM ct GROUP BY day;

CREATE OR REPLACE TABLE ins_rows (
    day DATE, rule INTEGER, rank INTEGER, category VARCHAR, priority VARCHAR, title VARCHAR,
    description VARCHAR, metric_type VARCHAR, metric_value VARCHAR, comparison_period VARCHAR
);

-- 1. AI adoption trend: |last - first| > 10 percentage points.
INSERT INTO ins_rows
SELECT day, 1, 1, 'trend', 'medium',
    'AI adoption ' || dir || ' ' || printf('%.0f', abs(change)) || '%',
    'AI adoption has ' || dir || ' from ' || printf('%.0f', first_value) || '% to '
        || printf('%.0f', last_value) || '% over the past 4 weeks.',
    'ai_adoption',
    to_json({'trend': trend, 'change': change})::VARCHAR,
    '4_weeks'
FROM (
    SELECT *, last_value - first_value AS change,
        CASE WHEN last_value - first_value > 0 THEN 'increased' ELSE 'decreased' END AS dir
    FROM ins_trend WHERE metric = 'ai_adoption' AND weeks >= 2
)
WHERE abs(change) > 10;

-- 2. Cycle time trend: |change| >= 20 % of the first week (no insight when that is 0);
-- faster is "improved" (medium), slower "regressed" (high).
INSERT INTO ins_rows
SELECT day, 2, 1, 'trend', CASE WHEN change < 0 THEN 'medium' ELSE 'high' END,
    'Cycle time ' || dir || ' ' || printf('%.0f', abs(change)) || '%',
    'Cycle time has ' || dir || ' from ' || printf('%.0f', first_value) || ' hours to '
        || printf('%.0f', last_value) || ' hours over the past 4 weeks.',
    'cycle_time',
    to_json({'trend': trend, 'change': change})::VARCHAR,
    '4_weeks'
FROM (
    SELECT *, (last_value - first_value) / first_value * 100 AS change,
        CASE WHEN last_value - first_value < 0 THEN 'improved' ELSE 'regressed' END AS dir
    FROM ins_trend WHERE metric = 'cycle_time' AND weeks >= 2 AND first_value <> 0
)
WHERE abs(change) >= 20;

-- Hotfix and revert counts of the 7 days ending on d and of the 28 days before them.
CREATE OR REPLACE TABLE ins_spikes AS
SELECT d.day,
    count(*) FILTER (WHERE p.is_hotfix AND p.merged_day BETWEEN d.day - 6 AND d.day) AS hotfixes,
    count(*) FILTER (WHERE p.is_hotfix AND p.merged_day BETWEEN d.day - 34 AND d.day - 7) AS hotfixes_before,
    count(*) FILTER (WHERE p.is_revert AND p.merged_day BETWEEN d.day - 6 AND d.day) AS reverts
FROM ins_days d
LEFT JOIN ins_pr p ON p.merged_day BETWEEN d.day - 34 AND d.day
GROUP BY d.day;

-- 3. Hotfix spike: this week >= 3 x the previous 4 weeks' weekly average (which must be > 0).
INSERT INTO ins_rows
SELECT day, 3, 1, 'anomaly', 'high',
    'Hotfix spike detected: ' || hotfixes || ' hotfixes (avg: ' || printf('%.1f', average) || ')',
    'Current week has ' || hotfixes || ' hotfixes, which is ' || printf('%.1f', hotfixes / average)
        || 'x higher than the 4-week average of ' || printf('%.1f', average)
        || ' hotfixes per week. This spike may indicate quality issues that need investigation.',
    'hotfix_spike',
    to_json({'current_week': hotfixes, 'previous_average': average, 'multiplier': hotfixes / average})::VARCHAR,
    '4_weeks'
FROM (SELECT *, hotfixes_before / 4.0 AS average FROM ins_spikes)
WHERE average > 0 AND hotfixes >= 3.0 * average;

-- 4. Reverts: any revert merged in the 7 days ending on d.
INSERT INTO ins_rows
SELECT day, 4, 1, 'anomaly', 'high',
    reverts || ' reverts this week - investigate quality issues',
    'Detected ' || reverts || ' revert' || CASE WHEN reverts <> 1 THEN 's' ELSE '' END
        || ' this week. Reverts indicate code that had to be rolled back, which may suggest '
        || 'quality issues, insufficient testing, or rushed deployments.',
    'revert_spike',
    to_json({'revert_count': reverts})::VARCHAR,
    '1_week'
FROM ins_spikes
WHERE reverts > 0;

-- 5. CI failure rate > 20 % over the completed check runs of PRs merged in [d - 28, d]
-- (any PR author: the app's CI query does not filter on it).
INSERT INTO ins_rows
WITH runs AS (
    SELECT c.conclusion, p.merged_at::DATE AS merged_day
    FROM out_metrics_prcheckrun c
    JOIN out_metrics_pullrequest p ON p.github_repo = c.github_repo AND p.github_pr_id = c.github_pr_id
    WHERE c.status = 'completed' AND p.merged_at IS NOT NULL
), counted AS (
    SELECT d.day, count(*) AS total,
        count(*) FILTER (WHERE r.conclusion = 'success') AS successes,
        count(*) FILTER (WHERE r.conclusion = 'failure') AS failures
    FROM ins_days d
    JOIN runs r ON r.merged_day BETWEEN d.day - 28 AND d.day
    GROUP BY d.day
), rated AS (
    SELECT *, 100.0 - round(successes * 100.0 / total, 2) AS failure_rate FROM counted
)
SELECT day, 5, 1, 'anomaly', 'medium',
    'CI/CD failure rate at ' || printf('%.0f', failure_rate) || '% (above 20% threshold)',
    'CI/CD failure rate is ' || printf('%.0f', failure_rate) || '% over the past 4 weeks ('
        || failures || ' failures out of ' || total || ' runs). This is above the 20% threshold '
        || 'and may indicate infrastructure issues, flaky tests, or code quality problems.',
    'ci_failure_rate',
    to_json({'failure_rate': failure_rate, 'total_runs': total, 'failure_count': failures,
             'success_count': successes})::VARCHAR,
    '4_weeks'
FROM rated
WHERE failure_rate > 20;

-- 6. Redundant reviewers. A pair's standing on a PR changes only on the days either reviews it,
-- so it is computed per PR and review day, then summed per pair as step functions of the day.
CREATE OR REPLACE TABLE ins_review AS
SELECT github_repo, github_pr_id, reviewer_github_id AS reviewer, state, submitted_at,
    submitted_at::DATE AS review_day, github_review_id
FROM out_metrics_prreview
WHERE state IN ('approved', 'changes_requested') AND reviewer_github_id IS NOT NULL
  AND submitted_at IS NOT NULL;

CREATE OR REPLACE TABLE ins_pairs AS
WITH pr_days AS (
    SELECT DISTINCT github_repo, github_pr_id, review_day FROM ins_review
), standing AS (
    -- each reviewer's last verdict on the PR as of the end of each review day of that PR
    SELECT d.github_repo, d.github_pr_id, d.review_day, r.reviewer,
        arg_max(r.state, (r.submitted_at, r.github_review_id)) AS state
    FROM pr_days d
    JOIN ins_review r ON r.github_repo = d.github_repo AND r.github_pr_id = d.github_pr_id
        AND r.review_day <= d.review_day
    GROUP BY ALL
), pair_days AS (
    SELECT a.github_repo, a.github_pr_id, a.review_day, a.reviewer AS r1, b.reviewer AS r2,
        (a.state = b.state)::INTEGER AS agree
    FROM standing a
    JOIN standing b ON b.github_repo = a.github_repo AND b.github_pr_id = a.github_pr_id
        AND b.review_day = a.review_day AND a.reviewer < b.reviewer
), steps AS (
    -- +1 together (and the agreement) from the day it holds, minus the previous standing
    SELECT r1, r2, review_day AS day, 1 - coalesce(lag(1) OVER w, 0) AS d_together,
        agree - coalesce(lag(agree) OVER w, 0) AS d_agree
    FROM pair_days
    WINDOW w AS (PARTITION BY github_repo, github_pr_id, r1, r2 ORDER BY review_day)
), daily AS (
    SELECT r1, r2, day, sum(d_together) AS d_together, sum(d_agree) AS d_agree
    FROM steps GROUP BY ALL
), running AS (
    SELECT r1, r2, day AS from_day,
        lead(day) OVER (PARTITION BY r1, r2 ORDER BY day) AS to_day,
        sum(d_together) OVER (PARTITION BY r1, r2 ORDER BY day) AS together,
        sum(d_agree) OVER (PARTITION BY r1, r2 ORDER BY day) AS agreements
    FROM daily
)
SELECT *, round(agreements * 100.0 / together, 2) AS agreement_rate
FROM running
WHERE together >= 10 AND round(agreements * 100.0 / together, 2) >= 95;

INSERT INTO ins_rows
WITH ranked AS (
    SELECT d.day, p.*,
        row_number() OVER (PARTITION BY d.day ORDER BY p.together DESC, p.r1, p.r2) AS rank
    FROM ins_days d
    JOIN ins_pairs p ON d.day >= p.from_day AND (p.to_day IS NULL OR d.day < p.to_day)
), named AS (
    SELECT r.*, m1.display_name AS name1, m2.display_name AS name2
    FROM ranked r
    JOIN out_metrics_teammember m1 ON m1.github_id = r.r1
    JOIN out_metrics_teammember m2 ON m2.github_id = r.r2
    WHERE r.rank <= 3
)
SELECT day, 6, rank::INTEGER, 'action', 'low',
    'Redundant reviewers: ' || name1 || ' & ' || name2 || ' agree '
        || printf('%.0f', agreement_rate) || '% of the time',
    name1 || ' and ' || name2 || ' have reviewed ' || together || ' PRs together and agree '
        || printf('%.0f', agreement_rate) || '% of the time. Consider redistributing review load '
        || 'to get more diverse perspectives.',
    'redundant_reviewers',
    to_json({'reviewer_1': name1, 'reviewer_2': name2, 'agreement_rate': agreement_rate::DOUBLE,
             'prs_reviewed_together': together})::VARCHAR,
    'all_time'
FROM named;

-- 7. Unlinked PRs: at least 5 merged PRs in [d - 28, d] without a Jira key.
INSERT INTO ins_rows
WITH counted AS (
    -- the app lists at most 1000 of them (get_unlinked_prs(limit=1000)) and counts the list
    SELECT d.day, least(count(*), 1000) AS n
    FROM ins_days d
    JOIN ins_pr p ON p.merged_day BETWEEN d.day - 28 AND d.day AND p.jira_key = ''
    GROUP BY d.day
)
SELECT day, 7, 1, 'action', 'low',
    n || ' PRs missing Jira links - consider enforcing',
    'Found ' || n || ' merged PRs in the past 4 weeks without Jira issue links. Consider enforcing '
        || 'Jira links in your PR workflow to improve traceability and project management visibility.',
    'unlinked_prs',
    to_json({'count': n, 'lookback_weeks': 4})::VARCHAR,
    '4_weeks'
FROM counted
WHERE n >= 5;

CREATE OR REPLACE TABLE out_metrics_dailyinsight AS
SELECT
    (SELECT team_slug FROM params) AS team_slug,
    day AS date, category, priority, title, description, metric_type, metric_value, comparison_period
FROM ins_rows;
