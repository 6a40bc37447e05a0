"""The main job end to end: `ogi run` on the bundled samples into a real DuckDB file."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLES, gold

from pipeline.frames import TABLES
from pipeline.tables import APPLICANT_KEYS, TABLE3_KEYS

OGI = Path(sys.executable).parent / "ogi"
FLATTENED_2019 = Path(__file__).parent / "fixtures" / "text_shapes" / "fj-pingtan-2019-txt.txt"
EXPECTED_TABLES = {
    *TABLES,
    "agg_region_year",
    "agg_year",
    "agg_region_year_channel",
}


def ogi_run(data_dir: Path, inbox: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    return subprocess.run(
        [str(OGI), "run", "--quiet", "--data-dir", str(data_dir), "--inbox", str(inbox)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def table_digests(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            rows = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("run")
    inbox = root / "inbox"
    shutil.copytree(SAMPLES, inbox)
    # Bad input must be recorded, never crash the run.
    (inbox / "bad").mkdir()
    (inbox / "bad" / "corrupt.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (inbox / "bad" / "empty.docx").write_bytes(b"")
    # The same report taken in twice (other bytes, same agency and year): counted once.
    seed4 = inbox / "shandong-qingdao-xihaian" / "seed-004.txt"
    (inbox / "shandong-qingdao-xihaian" / "seed-004-copy.txt").write_bytes(
        seed4.read_bytes() + b"\n"
    )
    # A crawler's flattened page.txt in the 2019 layout: table-2 runs cut under assumptions.
    (inbox / "crawled-text").mkdir()
    shutil.copy(FLATTENED_2019, inbox / "crawled-text")
    first = ogi_run(root / "data", inbox)
    assert first.returncode == 0, first.stderr[-3000:]
    db = root / "data" / "warehouse.duckdb"
    digests = table_digests(db)
    second = ogi_run(root / "data", inbox)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "first": digests, "second": table_digests(db), "stdout": first.stdout}


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_table_exists(warehouse: dict) -> None:
    names = {r[0] for r in query(warehouse["db"], "SELECT table_name FROM duckdb_tables()")}
    assert EXPECTED_TABLES <= names


def test_summary_says_where_the_warehouse_is(warehouse: dict) -> None:
    assert f"warehouse: {warehouse['db']}" in warehouse["stdout"]


def test_rerun_changes_nothing(warehouse: dict) -> None:
    assert warehouse["first"] == warehouse["second"]


def test_bad_files_are_recorded_as_failed(warehouse: dict) -> None:
    rows = query(
        warehouse["db"],
        "SELECT file_name, status, error FROM dim_report WHERE file_name LIKE 'bad/%' ORDER BY 1",
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("bad/corrupt.pdf", "failed"),
        ("bad/empty.docx", "failed"),
    ]
    assert all(r[2] for r in rows)


def test_image_only_seeds_load_with_narrative_facts(warehouse: dict) -> None:
    rows = query(
        warehouse["db"],
        """SELECT r.file_name, r.status, r.notes, count(p.entry_no) FROM dim_report r
           LEFT JOIN fact_published_items p USING (report_id)
           WHERE r.file_name LIKE '%seed-000.txt' OR r.file_name LIKE '%seed-003.txt'
           GROUP BY ALL""",
    )
    assert len(rows) == 2
    for _, status, notes, n_channels in rows:
        assert status == "no_tables"
        assert "table 3 not found (image)" in notes
        assert n_channels > 0


@pytest.mark.parametrize("doc_id", ["seed-002", "seed-004"])
def test_table3_facts_equal_printed_values(warehouse: dict, doc_id: str) -> None:
    expected = gold(doc_id)["table3"]
    (rid,) = query(
        warehouse["db"],
        "SELECT report_id FROM dim_report WHERE file_name LIKE ?",
        [f"%/{doc_id}.txt"],
    )[0]
    apps = query(
        warehouse["db"],
        "SELECT applicant_type, new, carried_over, carried_forward FROM fact_applications WHERE report_id = ?",
        [rid],
    )
    by_type = {r[0]: r[1:] for r in apps}
    for i, akey in enumerate(APPLICANT_KEYS):
        assert by_type[akey] == (
            expected["new"][i],
            expected["carried_over"][i],
            expected["carried_forward"][i],
        )
    outcomes = query(
        warehouse["db"],
        "SELECT outcome_key, applicant_type, count FROM fact_outcomes WHERE report_id = ?",
        [rid],
    )
    got = {(k, a): c for k, a, c in outcomes}
    for key in TABLE3_KEYS:
        if key in ("new", "carried_over", "carried_forward"):
            continue
        if expected[key] is None:
            assert not any(k == key for k, _ in got)
            continue
        for i, akey in enumerate(APPLICANT_KEYS):
            assert got[(key, akey)] == expected[key][i], (key, akey)


def test_provenance_names_the_printed_cell(warehouse: dict) -> None:
    rows = query(
        warehouse["db"],
        """SELECT c.raw, c.line, c.location FROM report_cells c JOIN dim_report r USING (report_id)
           WHERE r.file_name LIKE '%seed-004.txt' AND c.table_name = 'table3'
             AND c.row_key = 'new' AND c.column_key = '总计'""",
    )
    assert rows and rows[0][0].strip() == "11" and rows[0][1] is not None


def test_aggregates_roll_up_townships(warehouse: dict) -> None:
    levels = dict(
        query(
            warehouse["db"],
            """SELECT region_level, applications_new FROM agg_region_year
               WHERE year = 2023 AND region_name IN ('大场镇', '黄岛区', '青岛市')""",
        )
    )
    assert levels["township"] == 11
    assert levels["county"] >= levels["township"]
    assert levels["city"] >= levels["county"]
    years = {r[0] for r in query(warehouse["db"], "SELECT year FROM agg_year")}
    assert 2023 in years


def test_a_report_in_two_documents_counts_once(warehouse: dict) -> None:
    rows = query(
        warehouse["db"],
        """SELECT p.n_documents FROM report_primary p JOIN dim_report r USING (report_id)
           WHERE r.agency = '青岛西海岸新区大场镇人民政府'""",
    )
    assert rows == [(2,)]
    n_docs = query(
        warehouse["db"], "SELECT count(*) FROM dim_report WHERE file_name LIKE '%seed-004%'"
    )
    assert n_docs == [(2,)]


def test_null_is_not_zero_in_facts(warehouse: dict) -> None:
    """Seed 000 prints no table 3: it has no application facts at all, not zeros."""
    rows = query(
        warehouse["db"],
        """SELECT count(*) FROM fact_applications a JOIN dim_report r USING (report_id)
           WHERE r.file_name LIKE '%seed-000.txt'""",
    )
    assert rows[0][0] == 0


def test_one_agency_whatever_its_name_and_carry_chain(warehouse: dict) -> None:
    """洪泽区 writes itself two ways in two years: one agency, checked across years (C5)."""
    rows = query(
        warehouse["db"], "SELECT names, n_reports FROM dim_agency WHERE names LIKE '%洪泽区%'"
    )
    assert rows == [("洪泽区人民政府 | 淮安市洪泽区人民政府", 2)]
    chain = query(
        warehouse["db"],
        "SELECT previous_year, year, carried_forward_previous, carried_over, passed FROM check_carry_chain",
    )
    assert (2023, 2024) in {(r[0], r[1]) for r in chain}
    for _, _, forward, over, passed in chain:
        assert passed == (forward == over)


def test_how_each_value_was_obtained_is_stored(warehouse: dict) -> None:
    """A digit run cut under an assumption is marked so in the facts and the provenance."""
    rows = query(
        warehouse["db"],
        """SELECT f.measure, f.value, f.basis, f.raw FROM fact_proactive_disclosure f
           JOIN dim_report r USING (report_id)
           WHERE r.file_name LIKE '%fj-pingtan-2019-txt.txt' AND f.item = 'licensing'""",
    )
    assert {m: (v, b, raw) for m, v, b, raw in rows} == {
        "prev_year_items": (396, "assumed", "3960181"),
        "change": (0, "assumed", "3960181"),
        "decisions": (181, "assumed", "3960181"),
    }
    bases = dict(query(warehouse["db"], "SELECT basis, count(*) FROM report_cells GROUP BY ALL"))
    assert set(bases) == {"printed", "split", "assumed", "sum_rule"}
    derived = query(
        warehouse["db"], "SELECT count(*) FROM report_cells WHERE derived <> (basis = 'sum_rule')"
    )
    assert derived == [(0,)]


def test_a_warehouse_from_an_older_version_takes_new_columns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    con.execute("CREATE TABLE report_cells (report_id VARCHAR NOT NULL, value DOUBLE)")
    con.execute("INSERT INTO report_cells VALUES ('from-an-old-run', 1)")
    con.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FLATTENED_2019, inbox)
    result = ogi_run(data, inbox)
    assert result.returncode == 0, result.stderr[-3000:]
    db = data / "warehouse.duckdb"
    columns = {
        r[0]
        for r in query(
            db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'report_cells'"
        )
    }
    assert {"basis", "raw", "location"} <= columns
    assert query(db, "SELECT count(*) FROM report_cells WHERE report_id = 'from-an-old-run'") == [
        (0,)
    ]
