-- agg_region_year_channel: published items per channel, division and year, at every
-- level present. Grain: region_level × region_code × year × channel_key.
SELECT l.region_level, l.region_code, any_value(l.region_name) AS region_name, l.year,
       p.channel_key,
       count(DISTINCT p.report_id)               AS n_reports,
       sum(p.items)                              AS items,
       count(*) FILTER (WHERE p.approximate)     AS n_approximate
FROM report_region_levels AS l
JOIN fact_published_items AS p USING (report_id)
GROUP BY l.region_level, l.region_code, l.year, p.channel_key
ORDER BY l.year, l.region_level, l.region_code, p.channel_key
