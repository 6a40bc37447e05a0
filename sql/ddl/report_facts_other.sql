-- report_facts_other: section 六 facts (信息处理费, 人大代表建议, 政协提案).
-- 信息处理费 is money collected from applicants, NOT table 2's 行政事业性收费.
CREATE TABLE IF NOT EXISTS report_facts_other (
    report_id  VARCHAR NOT NULL,
    fact       VARCHAR NOT NULL,
    value      DOUBLE,
    unit       VARCHAR,
    quote      VARCHAR,
    PRIMARY KEY (report_id, fact)
);
