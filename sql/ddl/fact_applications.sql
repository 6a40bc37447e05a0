-- fact_applications: table 3 rows 一/二/四. Grain: report × applicant type.
-- NULL means the cell was printed blank or not printed; it is never 0.
CREATE TABLE IF NOT EXISTS fact_applications (
    report_id        VARCHAR NOT NULL,
    applicant_type   VARCHAR NOT NULL,  -- natural_person | commercial | research | public_interest | legal_services | other_org | total
    applicant_label  VARCHAR NOT NULL,  -- 自然人 … 总计, as in the template
    new              BIGINT,            -- 一、本年新收
    carried_over     BIGINT,            -- 二、上年结转
    carried_forward  BIGINT,            -- 四、结转下年度继续办理
    PRIMARY KEY (report_id, applicant_type)
);
