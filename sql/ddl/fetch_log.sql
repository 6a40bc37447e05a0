-- fetch_log: every request the crawler made (retries counted in `attempts`).
-- Grain: one URL fetch of one crawl run. Old versions of a changed report stay
-- findable here (sha256 → archive) after their facts are replaced.
CREATE TABLE IF NOT EXISTS fetch_log (
    source_id              VARCHAR,
    url                    VARCHAR,
    final_url              VARCHAR,    -- after redirects
    status                 BIGINT,     -- HTTP status; NULL when no response
    fetched_at             TIMESTAMPTZ,
    etag                   VARCHAR,
    last_modified          VARCHAR,
    sha256                 VARCHAR,    -- archive key of the bytes (NULL if not archived)
    size                   BIGINT,
    content_type           VARCHAR,    -- sniffed from the bytes
    declared_content_type  VARCHAR,    -- as the server said
    parent_url             VARCHAR,    -- the page that linked to it
    kind                   VARCHAR,    -- listing | report_page | attachment | robots
    is_document            BOOLEAN,
    not_modified           BOOLEAN,    -- a 304 answer to a conditional request
    error                  VARCHAR,
    region                 VARCHAR,
    run_id                 VARCHAR,
    attempts               BIGINT,
    changed                BOOLEAN,
    previous_sha256        VARCHAR,
    filename               VARCHAR
);
