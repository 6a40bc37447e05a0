"""The DuckDB warehouse: DDL, loading staged Parquet with one writer, aggregate models.

Loading replaces each table's contents from the complete staging set inside one
transaction, so a load is all-or-nothing and loading the same documents twice leaves
every table identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
DDL_DIR = SQL_DIR / "ddl"
MODELS_DIR = SQL_DIR / "models"

# Models build on each other: this order respects their references.
MODEL_ORDER = (
    "report_primary",
    "report_region_levels",
    "report_metrics",
    "agg_region_year",
    "agg_year",
    "agg_region_year_channel",
    "check_carry_chain",
)


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(db_path), read_only=read_only)


def apply_ddl(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create every table in sql/ddl (idempotent). Returns the table names."""
    names = []
    for path in sorted(DDL_DIR.glob("*.sql")):
        con.execute(path.read_text("utf-8"))
        names.append(path.stem)
    return names


def _recreate(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop and re-create a table from its DDL, so a warehouse built by an older
    version takes on new columns (every table is fully reloaded anyway)."""
    con.execute(f'DROP TABLE IF EXISTS "{table}"')
    con.execute((DDL_DIR / f"{table}.sql").read_text("utf-8"))


# How each table is read from its staged parts: most are a plain union; divisions
# repeat across batches and agency counts are per batch, so those are combined.
_STAGED_SELECT = {
    "dim_region": "SELECT DISTINCT ON (region_code) * FROM {src} ORDER BY region_code",
    # An agency is known by the name of its latest report; all its names are kept.
    "dim_agency": (
        "SELECT agency_id,"
        " arg_max(agency, lpad(coalesce(last_year, 0)::VARCHAR, 4, '0') || agency) AS agency,"
        " string_agg(DISTINCT agency, ' | ' ORDER BY agency) AS names,"
        " any_value(region_code) AS region_code, sum(n_reports)::INTEGER AS n_reports,"
        " min(first_year) AS first_year, max(last_year) AS last_year"
        " FROM {src} GROUP BY agency_id"
    ),
}


def load_staging(
    con: duckdb.DuckDBPyConnection, frames_dir: str | Path, tables: Iterable[str]
) -> dict[str, int]:
    """Replace the given tables from their staged Parquet parts, in one transaction."""
    frames_dir = Path(frames_dir)
    counts: dict[str, int] = {}
    apply_ddl(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            parts = sorted(str(p) for p in (frames_dir / table).glob("*.parquet"))
            _recreate(con, table)
            if parts:
                src = f"read_parquet({parts!r}, union_by_name = true)"
                select = _STAGED_SELECT.get(table, "SELECT * FROM {src}").format(src=src)
                con.execute(f'INSERT INTO "{table}" BY NAME {select}')
            counts[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts


def build_models(
    con: duckdb.DuckDBPyConnection, names: Iterable[str] = MODEL_ORDER
) -> dict[str, int]:
    """(Re)build each model in sql/models as a table: `CREATE OR REPLACE TABLE name AS …`."""
    counts = {}
    for name in names:
        sql = (MODELS_DIR / f"{name}.sql").read_text("utf-8")
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS {sql}')
        counts[name] = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    return counts


def load_fetch_log(con: duckdb.DuckDBPyConnection, staging_root: str | Path) -> int:
    """Replace fetch_log from the crawl logs (each log file holds its full history)."""
    logs = sorted((Path(staging_root) / "crawl").glob("*.parquet"))
    apply_ddl(con)
    con.execute("BEGIN TRANSACTION")
    try:
        _recreate(con, "fetch_log")
        if logs:
            con.execute(
                "INSERT INTO fetch_log BY NAME SELECT * FROM read_parquet(?, union_by_name = true)",
                [[str(p) for p in logs]],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM fetch_log").fetchone()[0]
