-- fact_published_item_categories: per-category breakdown of one channel statement
-- ("公告公示2条，行政执法公示6条…"). Grain: report × entry × category.
CREATE TABLE IF NOT EXISTS fact_published_item_categories (
    report_id    VARCHAR NOT NULL,
    entry_no     INTEGER NOT NULL,
    category_no  INTEGER NOT NULL,
    label        VARCHAR,
    items        BIGINT,
    PRIMARY KEY (report_id, entry_no, category_no)
);
