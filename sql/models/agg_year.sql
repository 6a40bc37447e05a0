-- agg_year: all reports of a reporting year, whatever their region.
-- Grain: year.
SELECT m.year,
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
FROM report_metrics AS m
WHERE m.year IS NOT NULL
GROUP BY m.year
ORDER BY m.year
