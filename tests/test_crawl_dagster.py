"""The crawl asset and schedule: partitions from data/sources.toml, a real materialisation
of one partition against the fixture portal, and the seasonal schedule."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
from crawl_fixtures.portal import Portal
from dagster import Definitions, build_schedule_context, materialize

from assets.crawl import SOURCES_FILE, crawl, crawl_job, crawl_partitions, crawl_schedule
from assets.resources import OgiPaths
from pipeline.crawl import load_sources


def test_partitions_are_the_enabled_sources():
    enabled = [s.id for s in load_sources(SOURCES_FILE) if s.enabled]
    assert crawl_partitions.get_partition_keys() == enabled


def test_definitions_load_and_schedule_is_seasonal():
    defs = Definitions(
        assets=[crawl],
        jobs=[crawl_job],
        schedules=[crawl_schedule],
        resources={"paths": OgiPaths()},
    )
    Definitions.validate_loadable(defs)
    crons = crawl_schedule.cron_schedule
    assert "0 2 * 1-4 *" in crons  # daily in the publication season
    assert "0 2 * 5-12 1" in crons  # weekly the rest of the year
    tick = datetime(2025, 2, 3, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ctx = build_schedule_context(
        repository_def=defs.get_repository_def(), scheduled_execution_time=tick
    )
    requests = list(crawl_schedule.evaluate_tick(ctx).run_requests)
    assert sorted(r.partition_key for r in requests) == sorted(
        crawl_partitions.get_partition_keys()
    )
    assert len({r.run_key for r in requests}) == len(requests)


def test_materialize_one_partition(tmp_path):
    key = crawl_partitions.get_partition_keys()[0]
    with Portal() as portal:
        # The shipped partition key, pointed at the fixture portal.
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f"""[[source]]
id = "{key}"
name = "fixture"
region = "371003"
start_urls = ["{portal.url}/xxgk/nb/index_1.html"]
allow = ["127.0.0.1"]
reports = ['/t\\d{{8}}_\\d+\\.html$']
delay_s = 0.01
""",
            encoding="utf-8",
        )
        paths = OgiPaths(
            inbox=str(tmp_path / "inbox"),
            archive=str(tmp_path / "archive"),
            staging=str(tmp_path / "staging"),
            sources=str(sources),
        )
        result = materialize([crawl], partition_key=key, resources={"paths": paths})
    assert result.success
    (mat,) = result.asset_materializations_for_node("crawl")
    assert mat.partition == key
    assert mat.metadata["documents"].value == 2  # the GB2312 page and its DOCX
    log = pl.read_parquet(tmp_path / "staging" / "crawl" / f"{key}.parquet")
    assert log.filter(pl.col("is_document"))["sha256"].is_not_null().all()
