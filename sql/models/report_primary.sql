-- report_primary: one report per agency and year, so aggregates never count a report
-- twice when it was taken in as several documents (portals often publish an HTML
-- page and a PDF of the same report; a crawl fetches both).
-- Grain: report_id of the document that speaks for its agency-year. Preference:
-- a document with table 3, then originals (html/pdf/docx/doc) over derived text and
-- images, then the one with the most table cells; ties broken by report_id.
-- Reports whose agency or year is unknown are each kept on their own.
WITH ranked AS (
    SELECT r.report_id, r.agency_id, r.year,
           count(*) OVER (PARTITION BY coalesce(r.agency_id, r.report_id), coalesce(r.year, -1))
               AS n_documents,
           row_number() OVER (
               PARTITION BY coalesce(r.agency_id, r.report_id), coalesce(r.year, -1)
               ORDER BY r.has_table3 DESC,
                        CASE WHEN r.format IN ('html', 'pdf', 'docx', 'doc') THEN 0 ELSE 1 END,
                        (SELECT count(*) FROM report_cells c WHERE c.report_id = r.report_id) DESC,
                        r.report_id
           ) AS rank
    FROM dim_report AS r
    WHERE r.status <> 'failed'
)
SELECT report_id, agency_id, year, n_documents
FROM ranked
WHERE rank = 1
