"""The crawler: government portals -> archived bytes + a fetch log per source.

Entry points: `load_sources` (the TOML file), `crawl_source` (one portal),
`run_crawl` (the `ogi crawl` command), `current_documents` (what to parse).
"""

from pipeline.crawl.crawler import CrawlResult, crawl_source, run_crawl
from pipeline.crawl.fetch import Fetcher, FetchPolicy
from pipeline.crawl.sources import Source, SourceError, load_sources
from pipeline.crawl.state import (
    LOG_SCHEMA,
    UrlState,
    current_documents,
    load_state,
    log_path,
    read_all_logs,
    read_log,
)

__all__ = [
    "LOG_SCHEMA",
    "CrawlResult",
    "FetchPolicy",
    "Fetcher",
    "Source",
    "SourceError",
    "UrlState",
    "crawl_source",
    "current_documents",
    "load_sources",
    "load_state",
    "log_path",
    "read_all_logs",
    "read_log",
    "run_crawl",
]
