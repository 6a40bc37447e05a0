-- dim_report: one row per distinct document (by content hash) the pipeline has seen.
-- Grain: report_id. Documents that failed to read or parse are here too, with status
-- 'failed' and the error text, so nothing is silently lost.
CREATE TABLE IF NOT EXISTS dim_report (
    report_id        VARCHAR PRIMARY KEY,  -- first 16 hex digits of sha256
    sha256           VARCHAR NOT NULL,     -- hash of the raw bytes (the archive key)
    file_name        VARCHAR,              -- name the file had when first seen
    source_url       VARCHAR,              -- URL it was fetched from, when crawled
    source_id        VARCHAR,              -- crawl source id or 'inbox'
    archive_path     VARCHAR,              -- where the raw bytes are archived
    format           VARCHAR,              -- pdf | html | docx | txt | md | image
    size_bytes       BIGINT,
    agency           VARCHAR,              -- issuing body as written
    agency_id        VARCHAR,
    year             INTEGER,              -- reporting year
    published        DATE,
    scope            VARCHAR,              -- 本机关 / 本级政府 / 全辖区 when stated
    region_code      VARCHAR,
    region_level     VARCHAR,
    region_rule      VARCHAR,              -- which gazetteer rule resolved the region
    format_version   VARCHAR,              -- of table 3: '2021' | '2019'
    table2_format_version VARCHAR,
    parser_version   VARCHAR,
    check_balance        BOOLEAN,          -- C1; NULL when table 3 is missing
    check_results_sum    BOOLEAN,          -- C2
    check_row_totals     BOOLEAN,          -- C3
    check_table4_totals  BOOLEAN,          -- C4
    has_table2       BOOLEAN,
    has_table3       BOOLEAN,
    has_table4       BOOLEAN,
    n_channels       INTEGER,
    status           VARCHAR NOT NULL,     -- ok | no_tables | failed
    error            VARCHAR,
    notes            VARCHAR               -- reader/parser notes, one per line
);
