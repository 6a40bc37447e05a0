"""Ingest assets: inventory → parsed reports → warehouse tables → aggregates.

Assets stay thin: the work is done by plain functions in `pipeline`. Data passes
between assets as files in the staging folder (Parquet, JSON), and one asset — the
warehouse load — is the only writer of the DuckDB file.
"""

from collections import Counter

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from assets.resources import OgiPaths
from pipeline import inventory as inv
from pipeline.frames import TABLES, stage_frames
from pipeline.parsing import load_cached, parse_documents
from pipeline.region import region_hierarchy
from pipeline.warehouse import (
    MODEL_ORDER,
    build_models,
    load_fetch_log,
    load_staging,
)

AGGREGATES = ("agg_region_year", "agg_year", "agg_region_year_channel", "check_carry_chain")

TABLE_DESCRIPTIONS = {
    "dim_report": "One row per document (by content hash): source, agency, year, region, checks, status.",
    "dim_agency": "Issuing bodies as written, with their resolved region.",
    "dim_region": "Administrative divisions with their full hierarchy (province → township).",
    "fact_applications": "Table 3 rows 一/二/四 per applicant type (new, carried over, carried forward).",
    "fact_outcomes": "Table 3 outcome rows per applicant type.",
    "fact_published_items": "Published items per channel from the narrative.",
    "fact_published_item_categories": "Per-category breakdown of a channel count.",
    "fact_proactive_disclosure": "Table 2 cells, each layout with its own measures.",
    "fact_review_litigation": "Table 4: reconsideration and litigation by result.",
    "report_cells": "Provenance of every table value: raw text and position in the document.",
    "report_findings": "Consistency rules (C1–C4) that fail, as printed.",
    "report_facts_other": "Section 六 facts: 信息处理费, 人大代表建议, 政协提案.",
    "fetch_log": "Every request of the crawler: URL, status, time, validators, hash, parent page.",
}
WAREHOUSE_TABLES = (*TABLES, "fetch_log")


@asset(
    group_name="ingest",
    description="Files found in the inbox and crawl logs, archived by content hash.",
)
def raw_documents(context: AssetExecutionContext, paths: OgiPaths) -> MaterializeResult:
    inventory = inv.build_inventory(paths.inbox, paths.archive, paths.staging)
    docs = inv.documents(inventory)
    context.log.info(
        f"{len(docs)} distinct documents ({len(inventory)} sightings) from {paths.inbox}"
    )
    formats = Counter(docs["format"].to_list())
    return MaterializeResult(
        metadata={
            "documents": len(docs),
            "sightings": len(inventory),
            "formats": MetadataValue.json(dict(formats)),
            "inbox": paths.inbox,
            "archive": paths.archive,
        }
    )


@asset(
    group_name="ingest",
    deps=[raw_documents],
    description="Every document parsed (tables 2–4, narrative, region) and staged as Parquet frames.",
)
def parsed_reports(context: AssetExecutionContext, paths: OgiPaths) -> MaterializeResult:
    inventory = pl.read_parquet(paths.staging_path / "inventory.parquet")
    docs = inv.documents(inventory)

    step = max(1, len(docs) // 100)  # about a hundred progress lines, however many documents

    def progress(done: int, total: int, name: str) -> None:
        if done == total or done % step == 0:
            context.log.info(f"parsed {done}/{total}: {name}")

    summaries = parse_documents(docs, paths.staging, progress=progress)
    rows = stage_frames(
        docs, paths.staging, lambda sha: load_cached(paths.staging, sha), region_hierarchy
    )
    statuses = Counter(s["status"] for s in summaries.values())
    failed = [f"{s['name']}: {s['error']}" for s in summaries.values() if s["status"] == "failed"]
    for line in failed:
        context.log.warning(f"failed: {line}")
    return MaterializeResult(
        metadata={
            "documents": len(summaries),
            "status": MetadataValue.json(dict(statuses)),
            "failed": MetadataValue.md("\n".join(f"- {f}" for f in failed) or "none"),
            "rows": MetadataValue.json(rows),
        }
    )


@multi_asset(
    specs=[
        AssetSpec(
            name,
            group_name="warehouse",
            deps=[parsed_reports],
            description=TABLE_DESCRIPTIONS[name],
        )
        for name in WAREHOUSE_TABLES
    ],
    can_subset=False,
)
def warehouse_tables(context: AssetExecutionContext, paths: OgiPaths, warehouse: DuckDBResource):
    """Load every staged frame into DuckDB in one transaction (the single writer)."""
    with warehouse.get_connection() as con:
        counts = load_staging(con, paths.staging_path / "frames", TABLES)
        counts["fetch_log"] = load_fetch_log(con, paths.staging)
    context.log.info(f"loaded {sum(counts.values())} rows into {warehouse.database}")
    for name in WAREHOUSE_TABLES:
        yield MaterializeResult(asset_key=AssetKey(name), metadata={"rows": counts[name]})


@multi_asset(
    specs=[
        AssetSpec(
            name,
            group_name="aggregates",
            deps=[
                "dim_report",
                "dim_agency",
                "dim_region",
                "fact_applications",
                "fact_outcomes",
                "fact_review_litigation",
                "fact_published_items",
            ],
            description=f"sql/models/{name}.sql",
        )
        for name in AGGREGATES
    ],
    can_subset=False,
)
def aggregates(context: AssetExecutionContext, warehouse: DuckDBResource):
    """Rebuild the regional and yearly aggregates from the fact tables (sql/models)."""
    with warehouse.get_connection() as con:
        counts = build_models(con, MODEL_ORDER)
    for name in AGGREGATES:
        yield MaterializeResult(asset_key=AssetKey(name), metadata={"rows": counts[name]})
