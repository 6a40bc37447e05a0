-- report_findings: consistency rules (C1–C4) that fail, as printed. Never repaired.
CREATE TABLE IF NOT EXISTS report_findings (
    report_id  VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,  -- balance | results_sum | row_totals | table4_totals
    location   VARCHAR NOT NULL,  -- column, row or block that fails
    computed   DOUBLE,            -- what the rule computes from the other cells
    printed    DOUBLE             -- what the report prints
);
