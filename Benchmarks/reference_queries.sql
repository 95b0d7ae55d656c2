-- The work each benchmarked command does, written by hand for the sqlite3 command line on the
-- same registry file. Each query starts at a "-- @name" line; registry_benchmark.py runs them.

-- @patients
.mode json
SELECT p.id, i.given_name, i.family_name, i.mrn, p.sex, p.enrolled_on, p.research_consent,
       (SELECT group_concat(condition_id) FROM patient_condition c WHERE c.patient_id = p.id) AS conditions,
       (SELECT count(*) FROM infusion f WHERE f.patient_id = p.id AND NOT f.entered_in_error) AS infusions,
       (SELECT max(assessed_on) FROM assessment a WHERE a.patient_id = p.id AND NOT a.entered_in_error) AS last_assessed,
       (SELECT group_concat(DISTINCT flag) FROM safety_flag s WHERE s.patient_id = p.id AND s.state = 'open') AS flags
FROM patient p JOIN patient_identity i ON i.patient_id = p.id
WHERE EXISTS (SELECT 1 FROM patient_condition c WHERE c.patient_id = p.id AND c.condition_id = 'depression')
ORDER BY p.id;

-- @patient-show
-- Every table the page shows, in the page's order.
SELECT * FROM patient p JOIN patient_identity i ON i.patient_id = p.id WHERE p.id = 1;
SELECT * FROM patient_condition WHERE patient_id = 1;
SELECT * FROM consent_event WHERE patient_id = 1 ORDER BY on_date, id;
SELECT * FROM prior_treatment WHERE patient_id = 1 ORDER BY id;
SELECT * FROM infusion WHERE patient_id = 1 ORDER BY given_on, given_at, id;
SELECT * FROM infusion_observation WHERE patient_id = 1 ORDER BY observed_on, observed_at, id;
SELECT * FROM assessment WHERE patient_id = 1 ORDER BY assessed_on, id;
SELECT * FROM adverse_event WHERE patient_id = 1 ORDER BY onset, id;
SELECT * FROM co_intervention WHERE patient_id = 1 ORDER BY from_date, id;
SELECT * FROM course_event WHERE patient_id = 1 ORDER BY on_date, id;
SELECT * FROM safety_flag WHERE patient_id = 1 AND state = 'open' ORDER BY id;

-- @outcomes
.mode json
WITH first_infusion AS (
  SELECT patient_id, condition_id, min(given_on) AS day0, max(given_on) AS last FROM infusion WHERE NOT entered_in_error GROUP BY patient_id, condition_id
), baseline AS (
  SELECT a.patient_id, f.condition_id, a.scale_id, a.score FROM assessment a JOIN first_infusion f ON f.patient_id = a.patient_id
  WHERE NOT a.entered_in_error AND a.assessed_on <= f.day0
  AND a.assessed_on = (SELECT max(b.assessed_on) FROM assessment b WHERE b.patient_id = a.patient_id AND b.scale_id = a.scale_id AND b.assessed_on <= f.day0)
), later AS (
  SELECT a.patient_id, f.condition_id, a.scale_id, a.score FROM assessment a JOIN first_infusion f ON f.patient_id = a.patient_id
  WHERE NOT a.entered_in_error AND a.assessed_on > f.last AND julianday(a.assessed_on) - julianday(f.last) <= 14
)
SELECT b.condition_id, b.scale_id, count(*) AS assessed, sum(l.score * 2 <= b.score) AS responders, sum(l.score < 5) AS remitted
FROM baseline b JOIN later l ON l.patient_id = b.patient_id AND l.scale_id = b.scale_id
GROUP BY b.condition_id, b.scale_id;

-- @due
WITH course AS (
  SELECT patient_id, condition_id, min(given_on) AS day0, max(given_on) AS last, count(*) AS given FROM infusion WHERE NOT entered_in_error GROUP BY patient_id, condition_id
)
SELECT c.patient_id, i.family_name, i.given_name, c.condition_id, c.day0, c.last,
       (SELECT max(assessed_on) FROM assessment a WHERE a.patient_id = c.patient_id) AS last_assessed
FROM course c JOIN patient_identity i ON i.patient_id = c.patient_id
WHERE NOT EXISTS (SELECT 1 FROM assessment a WHERE a.patient_id = c.patient_id AND a.timepoint = 'follow-up'
                  AND julianday(a.assessed_on) - julianday(c.day0) BETWEEN 21 AND 160)
ORDER BY c.day0;

-- @summary
.mode json
SELECT c.condition_id, a.scale_id, a.timepoint, count(DISTINCT a.patient_id) AS patients, avg(a.score) AS mean
FROM assessment a JOIN patient_condition c ON c.patient_id = a.patient_id JOIN patient p ON p.id = a.patient_id
WHERE NOT a.entered_in_error AND p.research_consent
GROUP BY c.condition_id, a.scale_id, a.timepoint;

-- @records
.mode json
SELECT p.id, p.sex, p.age_at_day_zero, (SELECT group_concat(condition_id) FROM patient_condition c WHERE c.patient_id = p.id) AS conditions
FROM patient p WHERE p.research_consent;
SELECT a.patient_id, a.scale_id, a.timepoint, a.assessed_on, a.score, a.band, a.subscores FROM assessment a JOIN patient p ON p.id = a.patient_id
WHERE NOT a.entered_in_error AND p.research_consent;
SELECT f.patient_id, f.condition_id, f.given_on, f.minutes, f.dose_mg_per_kg, f.route FROM infusion f JOIN patient p ON p.id = f.patient_id
WHERE NOT f.entered_in_error AND p.research_consent;
