-- check_carry_chain: consistency rule C5 across years. For each agency and each pair of
-- consecutive reporting years it reported, 二、上年结转 (year Y) should equal
-- 四、结转下年度继续办理 (year Y−1), 总计 column. A strong hint, not an official rule:
-- a failure is a finding to look at, not an error to repair.
-- Grain: agency × year (the later year of the pair).
WITH totals AS (
    SELECT p.agency_id, p.year, a.carried_over, a.carried_forward, p.report_id
    FROM report_primary AS p
    JOIN fact_applications AS a ON a.report_id = p.report_id AND a.applicant_type = 'total'
    WHERE p.agency_id IS NOT NULL AND p.year IS NOT NULL
)
SELECT cur.agency_id, g.agency, cur.year, prev.year AS previous_year,
       prev.carried_forward AS carried_forward_previous,
       cur.carried_over,
       CASE WHEN cur.carried_over IS NULL OR prev.carried_forward IS NULL THEN NULL
            ELSE cur.carried_over = prev.carried_forward END AS passed,
       cur.report_id, prev.report_id AS previous_report_id
FROM totals AS cur
JOIN totals AS prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
JOIN dim_agency AS g ON g.agency_id = cur.agency_id
ORDER BY cur.agency_id, cur.year
