-- dim_region: every administrative division a report resolves to, and all its
-- ancestors, so facts roll up township → county → city → province.
CREATE TABLE IF NOT EXISTS dim_region (
    region_code    VARCHAR PRIMARY KEY,
    name           VARCHAR,
    level          VARCHAR,   -- province | city | county | township
    parent_code    VARCHAR,
    province_code  VARCHAR,
    province       VARCHAR,
    city_code      VARCHAR,
    city           VARCHAR,
    county_code    VARCHAR,
    county         VARCHAR,
    township_code  VARCHAR,
    township       VARCHAR
);
