"""Jobs, the daily schedule and the inbox sensor."""

import hashlib
import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    asset_sensor,
    define_asset_job,
    sensor,
)

from pipeline import settings
from pipeline.inventory import inbox_files

ingest_selection = AssetSelection.groups("ingest", "warehouse", "aggregates")

ingest_job = define_asset_job(
    "ingest_job",
    selection=ingest_selection,
    description="Inventory the inbox and crawl logs, parse, load the warehouse, rebuild aggregates.",
)

ingest_schedule = ScheduleDefinition(
    name="daily_ingest",
    job=ingest_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
)


def inbox_fingerprint(inbox: str) -> tuple[str, int]:
    """A digest of the inbox listing (names, sizes, mtimes): changes when a file does."""
    from pathlib import Path

    files = inbox_files(Path(inbox))
    listing = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()[:16], len(files)


@sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts an ingest run when files are added to or changed in the inbox folder.",
)
def inbox_sensor(context: SensorEvaluationContext):
    digest, count = inbox_fingerprint(str(settings.inbox()))
    if digest == context.cursor:
        return SkipReason(f"inbox unchanged ({count} files)")
    context.update_cursor(digest)
    return RunRequest(run_key=f"inbox-{digest}", tags={"inbox_files": str(count)})


@asset_sensor(
    asset_key=AssetKey("crawl"),
    job=ingest_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After a portal is crawled, parse and load what it fetched.",
)
def crawl_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry):
    partition = asset_event.dagster_event.partition if asset_event.dagster_event else None
    return RunRequest(
        run_key=f"crawl-{asset_event.run_id}-{partition}", tags={"crawled": partition or ""}
    )
