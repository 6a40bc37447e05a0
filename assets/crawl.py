"""The crawl in Dagster: one partition per source of data/sources.toml, and its schedule.

Thin on purpose: all logic is in pipeline.crawl. A materialisation of one partition
crawls that portal and appends to `<staging>/crawl/<source_id>.parquet`, which the
ingest assets read (inventory of crawled documents) on their next run.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    schedule,
)

from assets.resources import OgiPaths
from pipeline import settings
from pipeline.crawl import SourceError, crawl_source, load_sources

SOURCES_FILE = settings.sources_path()


def source_ids(path: Path = SOURCES_FILE) -> list[str]:
    """Enabled source ids; read at import so partitions show in the UI.

    A missing or broken file must not take the whole code location down: it gives a
    placeholder partition whose run explains the problem.
    """
    try:
        ids = [s.id for s in load_sources(path) if s.enabled]
    except (OSError, SourceError, ValueError):
        ids = []
    return ids or ["no-sources"]


crawl_partitions = StaticPartitionsDefinition(source_ids())


@asset(
    name="crawl",
    group_name="crawl",
    partitions_def=crawl_partitions,
    description=(
        "Crawl one government portal (partition = source id in data/sources.toml): "
        "report pages and attachments archived by hash, every request appended to "
        "<staging>/crawl/<source_id>.parquet, conditional requests for what was seen."
    ),
    kinds={"python"},
)
def crawl(context: AssetExecutionContext, paths: OgiPaths) -> MaterializeResult:
    source_id = context.partition_key
    sources = {s.id: s for s in load_sources(paths.sources)}
    if source_id not in sources:
        raise ValueError(f"source {source_id!r} is not in {paths.sources}")
    result = crawl_source(sources[source_id], paths.archive, paths.staging)
    context.log.info(f"crawl {result.summary()}")
    if result.crashed:
        raise RuntimeError(f"crawl of {source_id} crashed: {result.error}")
    if result.error:
        # Reported, not raised: one unreachable portal must not fail the schedule.
        context.log.warning(f"source {source_id} skipped: {result.error}")
    return MaterializeResult(
        metadata={
            "requests": result.requests,
            "documents": result.documents,
            "new_or_changed": result.new_documents,
            "not_modified": result.not_modified,
            "errors": result.errors,
            "skipped_links": len(result.skipped),
            "source_error": result.error or "",
            "elapsed_s": round(result.elapsed_s, 1),
            "fetch_log": MetadataValue.path(str(result.log_path)),
            "run_id": result.run_id,
        }
    )


crawl_job = define_asset_job(
    "crawl_job",
    selection=AssetSelection.assets(crawl),
    description="Crawl one portal (choose the partition) or, from the schedule, all of them.",
)

# Departments publish by 31 January and governments by 31 March, so January–April
# gets a daily crawl and the rest of the year a weekly one (Mondays).
CRAWL_CRONS = ["0 2 * 1-4 *", "0 2 * 5-12 1"]


@schedule(
    name="crawl_schedule",
    job=crawl_job,
    cron_schedule=CRAWL_CRONS,
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Crawl every enabled source: daily in January–April, weekly otherwise.",
)
def crawl_schedule(context: ScheduleEvaluationContext):
    stamp = context.scheduled_execution_time.strftime("%Y%m%dT%H%M")
    for key in crawl_partitions.get_partition_keys():
        yield RunRequest(run_key=f"crawl-{key}-{stamp}", partition_key=key)
