-- report_metrics: headline numbers (总计 column) of each primary report (see
-- report_primary: one document per agency and year).
-- Grain: report_id. NULL where the report does not print the number.
WITH apps AS (
    SELECT report_id, new AS applications_new, carried_over, carried_forward
    FROM fact_applications WHERE applicant_type = 'total'
), outcomes AS (
    SELECT report_id,
           sum(count) FILTER (WHERE outcome_group = 'granted')       AS granted,
           sum(count) FILTER (WHERE outcome_group = 'partial')       AS partial,
           sum(count) FILTER (WHERE outcome_group = 'denied')        AS denied,
           sum(count) FILTER (WHERE outcome_group = 'unavailable')   AS unavailable,
           sum(count) FILTER (WHERE outcome_group = 'not_processed') AS not_processed,
           sum(count) FILTER (WHERE outcome_group = 'other')         AS other_handling,
           max(count) FILTER (WHERE outcome_group = 'total')         AS outcomes_total
    FROM fact_outcomes WHERE applicant_type = 'total'
    GROUP BY report_id
), review AS (
    SELECT report_id,
           max(count) FILTER (WHERE proceeding = 'review' AND result = 'total') AS reviews,
           max(count) FILTER (WHERE proceeding = 'review' AND result = 'corrected') AS reviews_corrected,
           sum(count) FILTER (WHERE proceeding <> 'review' AND result = 'total') AS lawsuits,
           sum(count) FILTER (WHERE proceeding <> 'review' AND result = 'corrected') AS lawsuits_corrected
    FROM fact_review_litigation
    GROUP BY report_id
), channels AS (
    SELECT report_id,
           sum(items) FILTER (WHERE channel_key = 'website') AS items_website,
           sum(items) FILTER (WHERE channel_key = 'wechat')  AS items_wechat
    FROM fact_published_items
    GROUP BY report_id
)
SELECT r.report_id, r.year, r.agency, r.region_code,
       a.applications_new, a.carried_over, a.carried_forward,
       o.granted, o.partial, o.denied, o.unavailable, o.not_processed, o.other_handling, o.outcomes_total,
       v.reviews, v.reviews_corrected, v.lawsuits, v.lawsuits_corrected,
       c.items_website, c.items_wechat
FROM dim_report AS r
JOIN report_primary AS p USING (report_id)
LEFT JOIN apps AS a USING (report_id)
LEFT JOIN outcomes AS o USING (report_id)
LEFT JOIN review AS v USING (report_id)
LEFT JOIN channels AS c USING (report_id)
