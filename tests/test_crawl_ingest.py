"""Crawl → ingest: crawled documents reach the warehouse, a changed report replaces
its facts, and the old version stays findable in the fetch log and the archive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from crawl_fixtures.portal import Portal

from pipeline.crawl import Fetcher, run_crawl

OGI = Path(sys.executable).parent / "ogi"
SOURCES = """
[[source]]
id = "hanweb"
name = "文登区 (fixture, Hanweb-style)"
region = "371003"
start_urls = ["{base}/col/col100/index.html"]
allow = ["127.0.0.1"]
follow = ['/col/col100/index\\.html\\?uid=\\d+&pageNum=\\d+$']
max_pages = 60
delay_s = 0.01
timeout_s = 0.8
retries = 1
backoff_s = 0.05

[[source]]
id = "trs"
name = "大场镇 (fixture, TRS-style)"
region = "山东省青岛市黄岛区"
start_urls = ["{base}/xxgk/nb/index.html"]
allow = ["127.0.0.1"]
follow = ['/xxgk/nb/index(_\\d+)?\\.html$']
reports = ['/t\\d{{8}}_\\d+\\.html$']
max_pages = 30
delay_s = 0.01
timeout_s = 0.8
retries = 1
backoff_s = 0.05
"""


def crawl_and_ingest(portal: Portal, root: Path) -> None:
    sources = root / "sources.toml"
    sources.write_text(SOURCES.format(base=portal.url), encoding="utf-8")
    with Fetcher(trust_env=False) as fetcher:
        run_crawl(
            sources,
            root / "data" / "archive",
            root / "data" / "staging",
            fetcher=fetcher,
            echo=lambda _: None,
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    (root / "inbox").mkdir(exist_ok=True)
    out = subprocess.run(
        [
            str(OGI),
            "run",
            "--quiet",
            "--data-dir",
            str(root / "data"),
            "--inbox",
            str(root / "inbox"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("crawl_ingest")
    db = root / "data" / "warehouse.duckdb"
    with Portal() as portal:
        crawl_and_ingest(portal, root)
        first = set(rows(db, "SELECT sha256, source_url FROM dim_report"))
        portal.state.version = "第二版"  # a report page changes on the portal
        crawl_and_ingest(portal, root)
        second = set(rows(db, "SELECT sha256, source_url FROM dim_report"))
    return {"db": db, "first": first, "second": second, "archive": root / "data" / "archive"}


def test_crawled_documents_are_in_the_warehouse(crawled: dict) -> None:
    assert crawled["first"], "no crawled document was loaded"
    assert all(url and url.startswith("http://127.0.0.1") for _, url in crawled["first"])
    n_log = rows(
        crawled["db"], "SELECT count(*) FROM fetch_log WHERE source_id IN ('trs', 'hanweb')"
    )[0][0]
    assert n_log > len(crawled["first"])


def test_changed_report_replaces_its_facts_and_keeps_the_old_version(crawled: dict) -> None:
    replaced = {sha for sha, _ in crawled["first"]} - {sha for sha, _ in crawled["second"]}
    assert replaced, "the changed page should have a new version"
    changed_urls = {url for sha, url in crawled["first"] if sha in replaced}
    assert changed_urls <= {url for _, url in crawled["second"]}  # the URL now has its new version
    for sha in replaced:
        logged = rows(crawled["db"], f"SELECT count(*) FROM fetch_log WHERE sha256 = '{sha}'")[0][0]
        assert logged >= 1
        assert list(crawled["archive"].glob(f"{sha[:2]}/{sha}*"))
