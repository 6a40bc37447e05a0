"""The `ogi` command line: parse one file, run the whole pipeline, query the warehouse."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pipeline import settings
from pipeline.settings import REPO_ROOT


def _warehouse_path(path: str | None) -> str:
    return path or str(settings.warehouse_path())


@click.group()
def main() -> None:
    """ogi-warehouse: Open Government Information annual reports → DuckDB."""


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON (SPEC parse contract)."
)
@click.option("--region", "region_hint", default=None, help="Region hint, e.g. 山东省威海市文登区.")
@click.option("--cells/--no-cells", default=False, help="Include per-cell provenance in the JSON.")
def parse(file: str, as_json: bool, region_hint: str | None, cells: bool) -> None:
    """Parse one report file (PDF, HTML, DOCX, text, image)."""
    from pipeline.report import parse_file

    report = parse_file(file, region_hint=region_hint)
    if not cells:
        report.pop("cells", None)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        return
    click.echo(f"{report['agency']} {report['year']} status={report['status']}")
    click.echo(f"region: {report['region']}")
    click.echo(f"checks: {report['checks']}")
    for note in report["notes"]:
        click.echo(f"note: {note}")


@main.command()
@click.option(
    "--inbox",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of report files (default data/samples).",
)
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False),
    default=None,
    help="DuckDB file (default data/warehouse.duckdb).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for archive, staging and Dagster state (default data/).",
)
@click.option("--quiet", is_flag=True, help="Only warnings and the summary.")
def run(inbox: str | None, warehouse: str | None, data_dir: str | None, quiet: bool) -> None:
    """Materialize every asset: inventory → parse → warehouse → aggregates."""
    if data_dir:
        os.environ["OGI_DATA_DIR"] = str(Path(data_dir).resolve())
        os.environ.setdefault("DAGSTER_HOME", str(Path(data_dir).resolve() / "dagster_home"))
    if inbox:
        os.environ["OGI_INBOX"] = str(Path(inbox).resolve())
    if warehouse:
        os.environ["OGI_WAREHOUSE"] = str(Path(warehouse).resolve())
    from assets.run import run_ingest

    ok = run_ingest(log_level="WARNING" if quiet else "INFO")
    db = _warehouse_path(None)
    _print_summary(db)
    if not ok:
        click.echo("the run failed: see the messages above", err=True)
        sys.exit(1)


def _print_summary(db: str) -> None:
    from pipeline.warehouse import connect

    if not Path(db).exists():
        return
    import gc

    # The run's DuckDB connections must be gone before one with other settings opens.
    gc.collect()
    con = connect(db, read_only=True)
    try:
        click.echo(f"\nwarehouse: {Path(db).resolve()}")
        for status, n in con.execute(
            "SELECT status, count(*) FROM dim_report GROUP BY status ORDER BY status"
        ).fetchall():
            click.echo(f"  reports {status}: {n}")
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
            ).fetchall()
        ]
        counts = ", ".join(
            f"{t}={con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]}" for t in tables
        )
        click.echo(f"  rows: {counts}")
        for rule in ("balance", "results_sum", "row_totals", "table4_totals"):
            ok, bad = con.execute(
                f"SELECT count(*) FILTER (check_{rule}), count(*) FILTER (NOT check_{rule}) FROM dim_report"
            ).fetchone()
            click.echo(f"  check {rule}: {ok} pass, {bad} fail")
        click.echo('  try: ogi query "SELECT * FROM agg_year"')
    finally:
        con.close()


@main.command()
@click.option(
    "--sources",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Sources TOML (default data/sources.toml).",
)
@click.option(
    "--only", multiple=True, help="Crawl only these source ids (repeatable; overrides `enabled`)."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for archive and staging (default data/).",
)
def crawl(sources: str | None, only: tuple[str, ...], data_dir: str | None) -> None:
    """Crawl government portals: fetch report pages and attachments, archive the bytes.

    Run `ogi run` afterwards (or let the Dagster sensor do it) to parse and load them.
    """
    from pipeline.crawl import run_crawl

    data = Path(data_dir) if data_dir else settings.data_dir()
    results = run_crawl(
        sources or str(settings.sources_path()),
        data / "archive",
        data / "staging",
        only=list(only) or None,
        echo=click.echo,
    )
    if any(r.crashed for r in results):
        sys.exit(1)


@main.command()
@click.argument("sql")
@click.option("--warehouse", type=click.Path(dir_okay=False), default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--max-rows", default=50, show_default=True)
def query(sql: str, warehouse: str | None, fmt: str, max_rows: int) -> None:
    """Run SQL against the warehouse (read-only) and print the result."""
    import polars as pl

    from pipeline.warehouse import connect

    db = _warehouse_path(warehouse)
    if not Path(db).exists():
        raise click.ClickException(f"no warehouse at {db}: run `ogi run` first")
    con = connect(db, read_only=True)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        frame = pl.DataFrame(
            cursor.fetchall(), schema=columns, orient="row", infer_schema_length=None
        )
    except Exception as exc:  # noqa: BLE001 - show SQL errors as a message, not a traceback
        raise click.ClickException(str(exc)) from exc
    finally:
        con.close()
    if fmt == "csv":
        click.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1))
    else:
        with pl.Config(tbl_rows=max_rows, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            click.echo(frame)


@main.command()
@click.option(
    "--corpus",
    type=click.Path(file_okay=False),
    default=str(REPO_ROOT.parent / "shared" / "corpus"),
    show_default=True,
    help="Folder with docs/ and gold/.",
)
@click.option("--quiet", is_flag=True, help="Only the per-document lines and totals.")
def score(corpus: str, quiet: bool) -> None:
    """Score the table parser against the corpus gold: cell accuracy, blank fidelity, misses."""
    from pipeline.scoring import format_scores, score_corpus

    if not (Path(corpus) / "gold").is_dir():
        raise click.ClickException(f"no gold/ folder under {corpus}")
    click.echo(format_scores(score_corpus(Path(corpus)), verbose=not quiet))


if __name__ == "__main__":
    main()
