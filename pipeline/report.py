"""Parse one report file into the SPEC.md `parse` contract (a JSON-ready dict).

read → rows → tables 2/3/4 → checks, plus the narrative (metadata, region, channels).
Extra keys beyond the contract: `source`, `parser_version`, `status`, `notes`,
`findings` (failed consistency rules with the cells involved), `cells` (every table
value with its raw text and position: the provenance the warehouse stores),
`table2_format_version`, `scope`, `section6`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline import metadata, narrative, region
from pipeline.archive import sha256_bytes
from pipeline.checks import CHECK_NAMES, run_checks
from pipeline.model import Document, TextBlock
from pipeline.readers import read_document
from pipeline.rows import document_rows
from pipeline.tables import (
    APPLICANT_COLUMNS,
    T2_2019_MEASURES,
    T2_2021_MEASURES,
    TABLE3_KEYS,
    TABLE4_KEYS,
    TABLE4_RESULTS,
    ParsedCell,
    TableResult,
    parse_table2,
    parse_table3,
    parse_table4,
)

PARSER_VERSION = "0.4.0"


def parse_file(path: str | Path, region_hint: str | None = None) -> dict[str, Any]:
    """Parse one file. Never raises for bad input: failures come back as status 'failed'."""
    path = Path(path)
    data = path.read_bytes()
    source = {"path": str(path), "name": path.name, "sha256": sha256_bytes(data), "size": len(data)}
    try:
        doc = read_document(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is recorded, not raised
        return failed_report(source, f"{type(exc).__name__}: {exc}")
    try:
        report = parse_document(doc, region_hint=region_hint)
    except Exception as exc:  # noqa: BLE001
        return failed_report(
            source | {"format": doc.format}, f"parser error: {type(exc).__name__}: {exc}"
        )
    report["source"] = source | {"format": doc.format}
    return report


def failed_report(source: dict[str, Any], error: str) -> dict[str, Any]:
    report = empty_report()
    report.update(source=source, status="failed", error=error)
    return report


def empty_report() -> dict[str, Any]:
    return {
        "agency": None,
        "year": None,
        "published": None,
        "region": {"province": None, "city": None, "county": None, "township": None, "code": None},
        "format_version": None,
        "table2": {
            k: None
            for k in (
                "regulations",
                "normative_documents",
                "licensing",
                "penalty",
                "coercion",
                "fees_10k_yuan",
            )
        },
        "table2_2019_extra": None,
        "table3": {k: None for k in TABLE3_KEYS},
        "table4": {k: None for k in TABLE4_KEYS},
        "channels": [],
        "checks": {k: None for k in CHECK_NAMES},
        "parser_version": PARSER_VERSION,
        "status": "ok",
        "error": None,
        "notes": [],
        "findings": [],
        "cells": [],
    }


def parse_document(doc: Document, region_hint: str | None = None) -> dict[str, Any]:
    report = empty_report()
    report["notes"].extend(doc.notes)
    rows = document_rows(doc)

    t3, t3_start, t3_end = parse_table3(rows)
    text_blocks = [b for b in doc.blocks if isinstance(b, TextBlock)]
    t2 = parse_table2(rows, end=t3_start, blocks=text_blocks)
    t4 = parse_table4(rows, after=(t3_end + 1) if t3_end is not None else 0)
    for name, table in (("table 2", t2), ("table 3", t3), ("table 4", t4)):
        report["notes"].extend(table.notes)
        if not table.found:
            image_hint = " (image)" if "[image:" in doc.text or doc.format == "image" else ""
            report["notes"].append(f"{name} not found{image_hint}")

    report["format_version"] = _table3_version(t3, t2)
    report["table2_format_version"] = t2.version
    _fill_table2(report, t2)
    if t3.found:
        report["table3"] = {k: t3.values(k) for k in TABLE3_KEYS}
    if t4.found:
        report["table4"] = {k: t4.values(k) for k in TABLE4_KEYS}
    report["cells"] = _provenance(t2, t3, t4)

    checks, findings = run_checks(t3, t4)
    report["checks"] = checks
    report["findings"] = [f.as_dict() for f in findings]

    text = doc.text
    meta = metadata.extract_metadata(text, doc.meta)
    report["agency"] = meta.get("agency")
    report["year"] = meta.get("year")
    report["published"] = meta.get("published")
    report["scope"] = meta.get("scope")
    report["region"] = region.resolve_region(report["agency"], text, region_hint)
    report["channels"] = narrative.extract_channels(text)
    report["section6"] = narrative.extract_section6(text)
    if not (t2.found or t3.found or t4.found):
        report["status"] = "no_tables"
    return report


def _table3_version(t3: TableResult, t2: TableResult) -> str | None:
    """Table 3's layout: sub-rows under （六） mean 2021; a single （六） row follows table 2."""
    if not t3.found:
        return None
    if t3.version == "2021":
        return "2021"
    return t2.version or "2019"


def _fill_table2(report: dict[str, Any], t2: TableResult) -> None:
    if not t2.found:
        return
    v = t2.values
    t2_out = report["table2"]
    if t2.version == "2021":
        for key in ("regulations", "normative_documents"):
            vals = v(key)
            t2_out[key] = None if vals is None else dict(zip(T2_2021_MEASURES, vals, strict=True))
        for key in ("licensing", "penalty", "coercion"):
            vals = v(key)
            t2_out[key] = None if vals is None else vals[0]
        fees = v("fees")
        t2_out["fees_10k_yuan"] = None if fees is None else fees[0]
        return
    for key in ("regulations", "normative_documents"):
        vals = v(key)
        t2_out[key] = None if vals is None else dict(zip(T2_2019_MEASURES, vals, strict=True))
    extra: dict[str, Any] = {}
    for key in ("licensing", "penalty", "coercion", "other_admin_services"):
        vals = v(key)
        if key != "other_admin_services":
            t2_out[key] = None if vals is None else vals[2]
            extra[key] = None if vals is None else {"prev_year_items": vals[0], "change": vals[1]}
        else:
            extra[key] = (
                None
                if vals is None
                else {"prev_year_items": vals[0], "change": vals[1], "decisions": vals[2]}
            )
    t2_out["fees_10k_yuan"] = None  # the 2019 layout counts fee items, not money
    fees = v("fees")
    extra["fees"] = None if fees is None else {"prev_year_items": fees[0], "change": fees[1]}
    proc = t2.cells.get("procurement")
    extra["procurement"] = (
        None if proc is None else {"items": proc[0].value, "amount": _amount_text(proc[1])}
    )
    report["table2_2019_extra"] = extra


def _amount_text(cell: ParsedCell) -> str | None:
    """采购总金额 as printed ("75394432.52元"); a cell cut from a digit run has only its
    own part of the run."""
    if cell.basis == "printed":
        return (cell.raw or "").strip() or None
    return None if cell.value is None else str(cell.value)


def _provenance(t2: TableResult, t3: TableResult, t4: TableResult) -> list[dict[str, Any]]:
    """Every table value with where it was printed; derived cells say so."""
    out: list[dict[str, Any]] = []

    def add(table: str, row: str, column: str, cell: ParsedCell) -> None:
        src = cell.source
        out.append(
            {
                "table": table,
                "row": row,
                "column": column,
                "value": cell.value,
                "raw": cell.raw,
                "derived": cell.derived,
                "basis": cell.basis,
                "page": src.page if src else None,
                "table_index": src.table if src else None,
                "grid_row": src.row if src else None,
                "grid_col": src.col if src else None,
                "line": src.line if src else None,
                "location": src.describe() if src else "derived by a sum rule",
            }
        )

    if t2.found:
        for key, cells in t2.cells.items():
            for i, cell in enumerate(cells or []):
                add("table2", key, str(i), cell)
    for key, cells in t3.cells.items():
        for i, cell in enumerate(cells or []):
            add("table3", key, APPLICANT_COLUMNS[i], cell)
    for key, cells in t4.cells.items():
        for i, cell in enumerate(cells or []):
            add("table4", key, TABLE4_RESULTS[i], cell)
    return out
