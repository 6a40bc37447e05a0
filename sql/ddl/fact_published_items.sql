-- fact_published_items: channel counts from the narrative (一、总体情况).
-- Grain: report × statement (entry_no); a category breakdown is in
-- fact_published_item_categories so sums over this table never double count.
CREATE TABLE IF NOT EXISTS fact_published_items (
    report_id     VARCHAR NOT NULL,
    entry_no      INTEGER NOT NULL,   -- order of the statement in the text
    channel_key   VARCHAR NOT NULL,   -- SPEC vocabulary; several joined by '+'
    channel       VARCHAR,            -- channel as written
    account_name  VARCHAR,            -- e.g. 耕读大水泊
    items         BIGINT,
    unit          VARCHAR,            -- 条 / 篇 / 个 / 期 …
    approximate   BOOLEAN,            -- "余条"
    quote         VARCHAR,            -- the sentence the number came from
    PRIMARY KEY (report_id, entry_no)
);
