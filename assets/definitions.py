"""The Dagster code location of ogi-warehouse."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from assets.automation import crawl_sensor, inbox_sensor, ingest_job, ingest_schedule
from assets.checks import consistency_checks
from assets.crawl import crawl, crawl_job, crawl_schedule
from assets.ingest import aggregates, parsed_reports, raw_documents, warehouse_tables
from assets.resources import OgiPaths, warehouse_resource

all_assets = [crawl, raw_documents, parsed_reports, warehouse_tables, aggregates]

defs = Definitions(
    assets=all_assets,
    asset_checks=consistency_checks,
    jobs=[ingest_job, crawl_job],
    schedules=[ingest_schedule, crawl_schedule],
    sensors=[inbox_sensor, crawl_sensor],
    resources={"paths": OgiPaths(), "warehouse": warehouse_resource()},
    # One process: the DuckDB file has a single writer, and 2 cores gain nothing
    # from a process per step.
    executor=in_process_executor,
)
