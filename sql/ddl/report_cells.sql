-- report_cells: provenance of every table value: where it was printed and how.
-- Answers "where did this number come from?". Grain: report × table × row × column.
CREATE TABLE IF NOT EXISTS report_cells (
    report_id    VARCHAR NOT NULL,
    table_name   VARCHAR NOT NULL,  -- table2 | table3 | table4
    row_key      VARCHAR NOT NULL,
    column_key   VARCHAR NOT NULL,
    value        DOUBLE,
    raw          VARCHAR,           -- cell text as printed (NULL when derived)
    derived      BOOLEAN NOT NULL,
    basis        VARCHAR NOT NULL,  -- printed | split (digit run, the only cut the rules allow) | narrative (digit run cut the one way the narrative's restated count agrees with) | assumed (digit run cut under an assumption named in the notes) | sum_rule (= derived)
    page         INTEGER,
    table_index  INTEGER,
    grid_row     INTEGER,
    grid_col     INTEGER,
    line         INTEGER,
    location     VARCHAR            -- human-readable position
);
