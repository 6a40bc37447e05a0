"""Staging in batches gives the same warehouse as staging in one go."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from conftest import SEEDS

from pipeline.frames import TABLES, stage_frames
from pipeline.region import region_hierarchy
from pipeline.report import parse_file
from pipeline.warehouse import connect, load_staging


def _warehouse(tmp: Path, batch_size: int, docs: pl.DataFrame, reports: dict) -> dict[str, list]:
    stage_frames(docs, tmp, reports.get, region_hierarchy, batch_size=batch_size)
    con = connect(tmp / "w.duckdb")
    try:
        load_staging(con, tmp / "frames", TABLES)
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in TABLES}
    finally:
        con.close()


def test_batches_do_not_change_the_tables(tmp_path: Path) -> None:
    reports, rows = {}, []
    for path in SEEDS.values():
        report = parse_file(path, region_hint="山东省")
        sha = report["source"]["sha256"]
        reports[sha] = report
        rows.append({"sha256": sha, "file_name": path.name, "source_id": "t", "format": "txt"})
    docs = pl.DataFrame(rows)
    one_go = _warehouse(tmp_path / "a", 1000, docs, reports)
    batched = _warehouse(tmp_path / "b", 2, docs, reports)
    assert one_go == batched
    assert one_go["dim_report"] and one_go["fact_outcomes"]


def test_restaging_replaces_the_old_parts(tmp_path: Path) -> None:
    path = SEEDS["seed-004"]
    report = parse_file(path)
    sha = report["source"]["sha256"]
    docs = pl.DataFrame(
        [{"sha256": sha, "file_name": path.name, "source_id": "t", "format": "txt"}]
    )
    stage_frames(docs, tmp_path, {sha: report}.get, region_hierarchy, batch_size=1)
    stage_frames(docs.clear(), tmp_path, {}.get, region_hierarchy)
    con = connect(tmp_path / "w.duckdb")
    try:
        counts = load_staging(con, tmp_path / "frames", TABLES)
    finally:
        con.close()
    assert counts["dim_report"] == 0


def test_agency_body_drops_the_division_names() -> None:
    from pipeline.frames import agency_body

    chain = region_hierarchy("320813000000")
    assert agency_body("淮安市洪泽区人民政府", chain) == "人民政府"
    assert agency_body("洪泽区人民政府", chain) == "人民政府"
    assert agency_body("洪泽区发展和改革委员会", chain) == "发展和改革委员会"
    assert agency_body("平潭综合实验区", None) == "平潭综合实验区"
