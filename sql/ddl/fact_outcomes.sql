-- fact_outcomes: table 3 outcome rows (三、本年度办理结果) and （七）总计.
-- Grain: report × outcome row × applicant type.
CREATE TABLE IF NOT EXISTS fact_outcomes (
    report_id       VARCHAR NOT NULL,
    outcome_key     VARCHAR NOT NULL,  -- SPEC.md row key: granted, partial, denied_state_secret, …, total
    outcome_group   VARCHAR NOT NULL,  -- granted | partial | denied | unavailable | not_processed | other | total
    applicant_type  VARCHAR NOT NULL,
    count           BIGINT,            -- NULL = printed blank / not printed
    derived         BOOLEAN NOT NULL,  -- true when filled by a sum rule, not read
    PRIMARY KEY (report_id, outcome_key, applicant_type)
);
