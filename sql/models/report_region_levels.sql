-- report_region_levels: each primary report (one per agency and year) attributed to its
-- own division and every ancestor. Grain: report × region level. Used by the regional
-- aggregates to roll up.
SELECT r.report_id, r.year, l.region_level, l.region_code, l.region_name
FROM dim_report AS r
JOIN report_primary AS p USING (report_id)
JOIN dim_region AS g ON g.region_code = r.region_code
CROSS JOIN LATERAL (
    VALUES ('province', g.province_code, g.province),
           ('city', g.city_code, g.city),
           ('county', g.county_code, g.county),
           ('township', g.township_code, g.township)
) AS l(region_level, region_code, region_name)
WHERE l.region_code IS NOT NULL
