-- agg_region_year: reports summed per division and year, at every level present
-- (a township's reports also count in its county, city and province).
-- Grain: region_level × region_code × year. Rates are over 总计 of table 3.
-- Sums add what the reports print; regions with overlapping reporters (a county
-- government and its departments) are summed as printed, not de-duplicated.
SELECT l.region_level, l.region_code, any_value(l.region_name) AS region_name, l.year,
       count(*)                                   AS n_reports,
       count(m.applications_new)                  AS n_reports_with_table3,
       sum(m.applications_new)                    AS applications_new,
       sum(m.carried_over)                        AS carried_over,
       sum(m.carried_forward)                     AS carried_forward,
       sum(m.outcomes_total)                      AS outcomes_total,
       sum(m.granted)                             AS granted,
       sum(m.partial)                             AS partial,
       sum(m.denied)                              AS denied,
       sum(m.unavailable)                         AS unavailable,
       sum(m.not_processed)                       AS not_processed,
       sum(m.other_handling)                      AS other_handling,
       sum(m.granted) / nullif(sum(m.outcomes_total), 0)  AS grant_rate,
       sum(m.denied) / nullif(sum(m.outcomes_total), 0)   AS refusal_rate,
       sum(m.reviews)                             AS reviews,
       sum(m.reviews_corrected)                   AS reviews_corrected,
       sum(m.lawsuits)                            AS lawsuits,
       sum(m.lawsuits_corrected)                  AS lawsuits_corrected,
       sum(m.items_website)                       AS items_website,
       sum(m.items_wechat)                        AS items_wechat
FROM report_region_levels AS l
JOIN report_metrics AS m USING (report_id)
GROUP BY l.region_level, l.region_code, l.year
ORDER BY l.year, l.region_level, l.region_code
