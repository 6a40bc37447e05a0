"""Resources: where the files live, and the DuckDB warehouse.

Defaults point into the checkout's data/ folder; environment variables move them
(OGI_INBOX, OGI_DATA_DIR, OGI_WAREHOUSE) so the CLI, the UI and schedules agree.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OGI_DATA_DIR", REPO_ROOT / "data"))


def default_inbox() -> str:
    return os.environ.get("OGI_INBOX", str(DATA_DIR / "samples"))


def default_warehouse() -> str:
    return os.environ.get("OGI_WAREHOUSE", str(DATA_DIR / "warehouse.duckdb"))


class OgiPaths(ConfigurableResource):
    """Folders of the pipeline: inbox (reports to take in), archive (raw bytes by hash),
    staging (parse cache, Parquet frames, crawl logs)."""

    inbox: str = default_inbox()
    archive: str = str(DATA_DIR / "archive")
    staging: str = str(DATA_DIR / "staging")
    sources: str = str(DATA_DIR / "sources.toml")

    @property
    def staging_path(self) -> Path:
        return Path(self.staging)


def warehouse_resource(path: str | None = None) -> DuckDBResource:
    database = path or default_warehouse()
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=database)
