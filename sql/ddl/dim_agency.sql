-- dim_agency: one row per issuing body (name as written + resolved region).
CREATE TABLE IF NOT EXISTS dim_agency (
    agency_id    VARCHAR PRIMARY KEY,  -- hash of agency name and region code
    agency       VARCHAR NOT NULL,
    region_code  VARCHAR,
    n_reports    INTEGER,
    first_year   INTEGER,
    last_year    INTEGER
);
