-- fact_proactive_disclosure: table 2 (二、主动公开政府信息情况), both layouts, each
-- with its own cells. Grain: report × item × measure.
CREATE TABLE IF NOT EXISTS fact_proactive_disclosure (
    report_id       VARCHAR NOT NULL,
    format_version  VARCHAR NOT NULL,  -- '2021' | '2019' (of table 2)
    item            VARCHAR NOT NULL,  -- regulations, normative_documents, licensing, penalty, coercion, fees, other_admin_services, procurement
    measure         VARCHAR NOT NULL,  -- 2021: issued/repealed/in_force/decisions/amount_10k_yuan; 2019: new_made/new_published/total_published/prev_year_items/change/decisions/items/amount
    value           DOUBLE,            -- NULL = printed blank / not printed
    raw             VARCHAR,           -- cell text as printed (for a cut digit run: the whole run)
    basis           VARCHAR NOT NULL,  -- printed | split (the only possible cut of a digit run) | narrative (cut agreeing with a count the narrative restates) | assumed (cut under a noted assumption)
    PRIMARY KEY (report_id, item, measure)
);
