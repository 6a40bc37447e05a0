-- fact_review_litigation: table 4. Grain: report × proceeding × result.
CREATE TABLE IF NOT EXISTS fact_review_litigation (
    report_id   VARCHAR NOT NULL,
    proceeding  VARCHAR NOT NULL,  -- review | litigation_direct | litigation_after_review
    result      VARCHAR NOT NULL,  -- upheld | corrected | other | pending | total
    count       BIGINT,
    derived     BOOLEAN NOT NULL,
    PRIMARY KEY (report_id, proceeding, result)
);
