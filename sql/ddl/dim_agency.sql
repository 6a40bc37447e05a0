-- dim_agency: one row per issuing body: the same body in the same division, however
-- its name is written ("淮安市洪泽区人民政府" and "洪泽区人民政府" are one agency).
CREATE TABLE IF NOT EXISTS dim_agency (
    agency_id    VARCHAR PRIMARY KEY,  -- hash of the body (name after its division) and region code
    agency       VARCHAR NOT NULL,     -- the name as written in its latest report
    names        VARCHAR,              -- every name it was written with, ' | '-separated
    region_code  VARCHAR,
    n_reports    INTEGER,
    first_year   INTEGER,
    last_year    INTEGER
);
