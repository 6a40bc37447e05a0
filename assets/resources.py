"""Resources: where the files live, and the DuckDB warehouse.

Defaults come from pipeline.settings (the checkout's data/ folder, moved by the
OGI_* environment variables), so the CLI, the UI and schedules agree.
"""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from pipeline import settings


class OgiPaths(ConfigurableResource):
    """Folders of the pipeline: inbox (reports to take in), archive (raw bytes by hash),
    staging (parse cache, Parquet frames, crawl logs)."""

    inbox: str = str(settings.inbox())
    archive: str = str(settings.data_dir() / "archive")
    staging: str = str(settings.data_dir() / "staging")
    sources: str = str(settings.sources_path())

    @property
    def staging_path(self) -> Path:
        return Path(self.staging)


def warehouse_resource(path: str | None = None) -> DuckDBResource:
    database = path or str(settings.warehouse_path())
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=database)
