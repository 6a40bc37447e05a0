"""Parsed reports → long-format polars frames, one per warehouse table.

Each frame has an explicit schema so an empty run still yields well-typed tables,
and the column names match sql/ddl/<table>.sql.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.tables import (
    APPLICANT_COLUMNS,
    APPLICANT_KEYS,
    TABLE3_KEYS,
    TABLE4_KEYS,
    TABLE4_RESULTS,
)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "dim_report": {
        "report_id": pl.String(),
        "sha256": pl.String(),
        "file_name": pl.String(),
        "source_url": pl.String(),
        "source_id": pl.String(),
        "archive_path": pl.String(),
        "format": pl.String(),
        "size_bytes": pl.Int64(),
        "agency": pl.String(),
        "agency_id": pl.String(),
        "year": pl.Int32(),
        "published": pl.Date(),
        "scope": pl.String(),
        "region_code": pl.String(),
        "region_level": pl.String(),
        "region_rule": pl.String(),
        "format_version": pl.String(),
        "table2_format_version": pl.String(),
        "parser_version": pl.String(),
        "check_balance": pl.Boolean(),
        "check_results_sum": pl.Boolean(),
        "check_row_totals": pl.Boolean(),
        "check_table4_totals": pl.Boolean(),
        "has_table2": pl.Boolean(),
        "has_table3": pl.Boolean(),
        "has_table4": pl.Boolean(),
        "n_channels": pl.Int32(),
        "status": pl.String(),
        "error": pl.String(),
        "notes": pl.String(),
    },
    "dim_agency": {
        "agency_id": pl.String(),
        "agency": pl.String(),
        "names": pl.String(),
        "region_code": pl.String(),
        "n_reports": pl.Int32(),
        "first_year": pl.Int32(),
        "last_year": pl.Int32(),
    },
    "dim_region": {
        "region_code": pl.String(),
        "name": pl.String(),
        "level": pl.String(),
        "parent_code": pl.String(),
        "province_code": pl.String(),
        "province": pl.String(),
        "city_code": pl.String(),
        "city": pl.String(),
        "county_code": pl.String(),
        "county": pl.String(),
        "township_code": pl.String(),
        "township": pl.String(),
    },
    "fact_applications": {
        "report_id": pl.String(),
        "applicant_type": pl.String(),
        "applicant_label": pl.String(),
        "new": pl.Int64(),
        "carried_over": pl.Int64(),
        "carried_forward": pl.Int64(),
    },
    "fact_outcomes": {
        "report_id": pl.String(),
        "outcome_key": pl.String(),
        "outcome_group": pl.String(),
        "applicant_type": pl.String(),
        "count": pl.Int64(),
        "derived": pl.Boolean(),
    },
    "fact_published_items": {
        "report_id": pl.String(),
        "entry_no": pl.Int32(),
        "channel_key": pl.String(),
        "channel": pl.String(),
        "account_name": pl.String(),
        "items": pl.Int64(),
        "unit": pl.String(),
        "approximate": pl.Boolean(),
        "quote": pl.String(),
    },
    "fact_published_item_categories": {
        "report_id": pl.String(),
        "entry_no": pl.Int32(),
        "category_no": pl.Int32(),
        "label": pl.String(),
        "items": pl.Int64(),
    },
    "fact_proactive_disclosure": {
        "report_id": pl.String(),
        "format_version": pl.String(),
        "item": pl.String(),
        "measure": pl.String(),
        "value": pl.Float64(),
        "raw": pl.String(),
        "basis": pl.String(),
    },
    "fact_review_litigation": {
        "report_id": pl.String(),
        "proceeding": pl.String(),
        "result": pl.String(),
        "count": pl.Int64(),
        "derived": pl.Boolean(),
    },
    "report_cells": {
        "report_id": pl.String(),
        "table_name": pl.String(),
        "row_key": pl.String(),
        "column_key": pl.String(),
        "value": pl.Float64(),
        "raw": pl.String(),
        "derived": pl.Boolean(),
        "basis": pl.String(),
        "page": pl.Int32(),
        "table_index": pl.Int32(),
        "grid_row": pl.Int32(),
        "grid_col": pl.Int32(),
        "line": pl.Int32(),
        "location": pl.String(),
    },
    "report_findings": {
        "report_id": pl.String(),
        "check_name": pl.String(),
        "location": pl.String(),
        "computed": pl.Float64(),
        "printed": pl.Float64(),
    },
    "report_facts_other": {
        "report_id": pl.String(),
        "fact": pl.String(),
        "value": pl.Float64(),
        "unit": pl.String(),
        "quote": pl.String(),
    },
}

TABLES = tuple(SCHEMAS)

_GROUP_OF = {
    "granted": "granted",
    "partial": "partial",
    "other": "other",
    "total": "total",
}

# Table 2 cells per layout: item → measure names, in the printed column order.
T2_MEASURES = {
    "2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "coercion": ("decisions",),
        "fees": ("amount_10k_yuan",),
    },
    "2019": {
        "regulations": ("new_made", "new_published", "total_published"),
        "normative_documents": ("new_made", "new_published", "total_published"),
        "licensing": ("prev_year_items", "change", "decisions"),
        "other_admin_services": ("prev_year_items", "change", "decisions"),
        "penalty": ("prev_year_items", "change", "decisions"),
        "coercion": ("prev_year_items", "change", "decisions"),
        "fees": ("prev_year_items", "change"),
        "procurement": ("items", "amount"),
    },
}


def outcome_group(key: str) -> str:
    if key in _GROUP_OF:
        return _GROUP_OF[key]
    for prefix in ("denied", "unavailable", "not_processed", "other"):
        if key.startswith(prefix):
            return prefix
    raise ValueError(f"not an outcome row: {key}")


def report_id(sha256: str) -> str:
    return sha256[:16]


_DIVISION_SUFFIX = re.compile(r"(省|市|自治州|地区|盟|区|县|旗|镇|乡|街道)$")


def agency_body(agency: str, chain: list[Mapping[str, Any]] | None) -> str:
    """The body an agency name designates within its division: 人民政府, 发展和改革局 …

    The text after the last division name of its region (full or without its suffix)
    is the body, so "淮安市洪泽区人民政府" and "洪泽区人民政府" in 洪泽区 are one agency.
    """
    name = re.sub(r"\s+", "", agency)
    end = 0
    for node in chain or []:
        full = node.get("name") or ""
        for form in {full, _DIVISION_SUFFIX.sub("", full) if len(full) > 2 else full} - {""}:
            at = name.rfind(form)
            if at >= 0:
                end = max(end, at + len(form))
    return name[end:] or name


def agency_id(body: str, region_code: str | None) -> str:
    return hashlib.sha256(f"{body}|{region_code or ''}".encode()).hexdigest()[:16]


def build_frames(
    documents: Iterable[Mapping[str, Any]],
    reports: Mapping[str, Mapping[str, Any]],
    regions: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, pl.DataFrame]:
    """All warehouse frames from inventory rows and their parsed reports.

    `regions` maps a region code to its hierarchy rows (dim_region shape), as given by
    pipeline.region; codes missing from it still get a dim_region row of their own.
    """
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    region_rows: dict[str, dict[str, Any]] = {}
    for doc in documents:
        report = reports.get(doc["sha256"])
        if report is None:
            continue
        rid = report_id(doc["sha256"])
        region = report.get("region") or {}
        code = region.get("code")
        agency = report.get("agency")
        aid = agency_id(agency_body(agency, (regions or {}).get(code)), code) if agency else None
        checks = report.get("checks") or {}
        notes = report.get("notes") or []
        t3 = report.get("table3") or {}
        t4 = report.get("table4") or {}
        rows["dim_report"].append(
            {
                "report_id": rid,
                "sha256": doc["sha256"],
                "file_name": doc.get("file_name"),
                "source_url": doc.get("source_url"),
                "source_id": doc.get("source_id"),
                "archive_path": doc.get("archive_path"),
                "format": (report.get("source") or {}).get("format") or doc.get("format"),
                "size_bytes": doc.get("size_bytes"),
                "agency": agency,
                "agency_id": aid,
                "year": report.get("year"),
                "published": _date(report.get("published")),
                "scope": report.get("scope"),
                "region_code": code,
                "region_level": region.get("level"),
                "region_rule": region.get("rule") or region.get("reason"),
                "format_version": report.get("format_version"),
                "table2_format_version": report.get("table2_format_version"),
                "parser_version": report.get("parser_version"),
                "check_balance": checks.get("balance"),
                "check_results_sum": checks.get("results_sum"),
                "check_row_totals": checks.get("row_totals"),
                "check_table4_totals": checks.get("table4_totals"),
                "has_table2": bool(report.get("table2_format_version")),
                "has_table3": any(v is not None for v in t3.values()),
                "has_table4": any(v is not None for v in t4.values()),
                "n_channels": len(report.get("channels") or []),
                "status": report.get("status") or "ok",
                "error": report.get("error"),
                "notes": "\n".join(notes) if notes else None,
            }
        )
        if code:
            chain = (regions or {}).get(code)
            for level_row in _region_rows(chain) if chain else [_lone_region(region)]:
                region_rows.setdefault(level_row["region_code"], level_row)
        _table3_rows(rid, t3, report, rows)
        _table4_rows(rid, t4, report, rows)
        _table2_rows(rid, report, rows)
        _channel_rows(rid, report, rows)
        _other_fact_rows(rid, report, rows)
        for cell in report.get("cells") or []:
            rows["report_cells"].append(
                {
                    "report_id": rid,
                    "table_name": cell["table"],
                    "row_key": cell["row"],
                    "column_key": cell["column"],
                    "value": _float(cell.get("value")),
                    "raw": cell.get("raw"),
                    "derived": bool(cell.get("derived")),
                    "basis": cell["basis"],
                    "page": cell.get("page"),
                    "table_index": cell.get("table_index"),
                    "grid_row": cell.get("grid_row"),
                    "grid_col": cell.get("grid_col"),
                    "line": cell.get("line"),
                    "location": cell.get("location"),
                }
            )
        for f in report.get("findings") or []:
            rows["report_findings"].append(
                {
                    "report_id": rid,
                    "check_name": f["check"],
                    "location": f["where"],
                    "computed": _float(f.get("computed")),
                    "printed": _float(f.get("printed")),
                }
            )
    rows["dim_region"] = sorted(region_rows.values(), key=lambda r: r["region_code"])
    rows["dim_agency"] = _agency_rows(rows["dim_report"])
    return {t: pl.DataFrame(rows[t], schema=SCHEMAS[t]) for t in TABLES}


def _date(value: Any) -> Any:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return int(value) if isinstance(value, int) else None


def _derived_cells(report: Mapping[str, Any], table: str) -> set[tuple[str, str]]:
    return {
        (c["row"], c["column"])
        for c in report.get("cells") or []
        if c["table"] == table and c.get("derived")
    }


def _table3_rows(rid: str, t3: Mapping[str, Any], report: Mapping[str, Any], rows: dict) -> None:
    if not any(v is not None for v in t3.values()):
        return
    derived = _derived_cells(report, "table3")
    for i, (akey, alabel) in enumerate(zip(APPLICANT_KEYS, APPLICANT_COLUMNS, strict=True)):

        def cell(key: str, i: int = i) -> int | None:
            values = t3.get(key)
            return None if values is None else _int(values[i])

        rows["fact_applications"].append(
            {
                "report_id": rid,
                "applicant_type": akey,
                "applicant_label": alabel,
                "new": cell("new"),
                "carried_over": cell("carried_over"),
                "carried_forward": cell("carried_forward"),
            }
        )
    for key in TABLE3_KEYS:
        if key in ("new", "carried_over", "carried_forward"):
            continue
        values = t3.get(key)
        if values is None:
            continue  # a row not printed has no facts (dim_report says which tables exist)
        for i, akey in enumerate(APPLICANT_KEYS):
            rows["fact_outcomes"].append(
                {
                    "report_id": rid,
                    "outcome_key": key,
                    "outcome_group": outcome_group(key),
                    "applicant_type": akey,
                    "count": _int(values[i]),
                    "derived": (key, APPLICANT_COLUMNS[i]) in derived,
                }
            )


def _table4_rows(rid: str, t4: Mapping[str, Any], report: Mapping[str, Any], rows: dict) -> None:
    derived = _derived_cells(report, "table4")
    for proceeding in TABLE4_KEYS:
        values = t4.get(proceeding)
        if values is None:
            continue
        for i, result in enumerate(TABLE4_RESULTS):
            rows["fact_review_litigation"].append(
                {
                    "report_id": rid,
                    "proceeding": proceeding,
                    "result": result,
                    "count": _int(values[i]),
                    "derived": (proceeding, result) in derived,
                }
            )


def _table2_rows(rid: str, report: Mapping[str, Any], rows: dict) -> None:
    version = report.get("table2_format_version")
    if version not in T2_MEASURES:
        return
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for c in report.get("cells") or []:
        if c["table"] == "table2":
            cells[(c["row"], c["column"])] = c
    for item, measures in T2_MEASURES[version].items():
        for i, measure in enumerate(measures):
            cell = cells.get((item, str(i)))
            if cell is None:
                continue
            value = cell.get("value")
            rows["fact_proactive_disclosure"].append(
                {
                    "report_id": rid,
                    "format_version": version,
                    "item": item,
                    "measure": measure,
                    "value": _float(value),
                    "raw": cell.get("raw"),
                    "basis": cell["basis"],
                }
            )


def _channel_rows(rid: str, report: Mapping[str, Any], rows: dict) -> None:
    for n, ch in enumerate(report.get("channels") or [], start=1):
        rows["fact_published_items"].append(
            {
                "report_id": rid,
                "entry_no": n,
                "channel_key": ch.get("channel_key") or "other",
                "channel": ch.get("channel"),
                "account_name": ch.get("account_name"),
                "items": _int(ch.get("items")),
                "unit": ch.get("unit"),
                "approximate": ch.get("approximate"),
                "quote": ch.get("quote"),
            }
        )
        for m, cat in enumerate(ch.get("categories") or [], start=1):
            rows["fact_published_item_categories"].append(
                {
                    "report_id": rid,
                    "entry_no": n,
                    "category_no": m,
                    "label": cat.get("label"),
                    "items": _int(cat.get("items")),
                }
            )


def _other_fact_rows(rid: str, report: Mapping[str, Any], rows: dict) -> None:
    s6 = report.get("section6") or {}
    facts = (
        (
            "processing_fee",
            s6.get("processing_fee"),
            s6.get("processing_fee_unit"),
            s6.get("processing_fee_quote"),
        ),
        (
            "npc_suggestions",
            s6.get("npc_suggestions"),
            "件",
            s6.get("npc_quote") or s6.get("suggestions_quote"),
        ),
        (
            "cppcc_proposals",
            s6.get("cppcc_proposals"),
            "件",
            s6.get("cppcc_quote") or s6.get("proposals_quote"),
        ),
    )
    for fact, value, unit, quote in facts:
        if value is None:
            continue
        rows["report_facts_other"].append(
            {"report_id": rid, "fact": fact, "value": _float(value), "unit": unit, "quote": quote}
        )


def _region_rows(chain: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """dim_region rows from a gazetteer chain (province first, see pipeline.region)."""
    out: list[dict[str, Any]] = []
    codes: dict[str, str | None] = {}
    for node in chain:
        codes[node["level"]] = node["code"]
        out.append(
            {
                "region_code": node["code"],
                "name": node["name"],
                "level": node["level"],
                "parent_code": node.get("parent_code"),
                **{
                    f"{lvl}_code": codes.get(lvl)
                    for lvl in ("province", "city", "county", "township")
                },
                **{lvl: node.get(lvl) for lvl in ("province", "city", "county", "township")},
            }
        )
    return out


def _lone_region(region: Mapping[str, Any]) -> dict[str, Any]:
    """A dim_region row built from the report's own resolution (no hierarchy known)."""
    level = region.get("level")
    return {
        "region_code": region.get("code"),
        "name": region.get(level) if level else None,
        "level": level,
        "parent_code": None,
        "province_code": None,
        "province": region.get("province"),
        "city_code": None,
        "city": region.get("city"),
        "county_code": None,
        "county": region.get("county"),
        "township_code": None,
        "township": region.get("township"),
    }


def _agency_rows(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per agency and name as written; the loader combines an agency's names."""
    agencies: dict[tuple[str, str], dict[str, Any]] = {}
    for r in reports:
        if not r["agency_id"]:
            continue
        a = agencies.setdefault(
            (r["agency_id"], r["agency"]),
            {
                "agency_id": r["agency_id"],
                "agency": r["agency"],
                "names": r["agency"],
                "region_code": r["region_code"],
                "n_reports": 0,
                "first_year": None,
                "last_year": None,
            },
        )
        a["n_reports"] += 1
        if r["year"] is not None:
            a["first_year"] = min(filter(None, (a["first_year"], r["year"])))
            a["last_year"] = max(filter(None, (a["last_year"], r["year"])))
    return sorted(agencies.values(), key=lambda a: (a["agency_id"], a["agency"]))


def stage_frames(
    documents: pl.DataFrame,
    staging_root: str | Path,
    load_report: Callable[[str], Mapping[str, Any] | None],
    region_chain: Callable[[str], list[dict[str, Any]]],
    batch_size: int = 2000,
) -> dict[str, int]:
    """Build the frames batch by batch into <staging>/frames/<table>/part-N.parquet.

    Only one batch of reports is in memory at a time. The new set is written next to
    the old one and swapped in at the end, so a crash never leaves a mixed set.
    dim_agency parts are partial counts and dim_region parts may repeat a division:
    the loader aggregates them.
    """
    staging_root = Path(staging_root)
    target = staging_root / "frames.new"
    shutil.rmtree(target, ignore_errors=True)
    for table in TABLES:
        (target / table).mkdir(parents=True)
    counts = dict.fromkeys(TABLES, 0)
    batches = list(documents.iter_slices(batch_size)) or [documents]
    for i, batch in enumerate(batches):
        docs = batch.to_dicts()
        reports = {d["sha256"]: r for d in docs if (r := load_report(d["sha256"])) is not None}
        codes = {(r.get("region") or {}).get("code") for r in reports.values()} - {None}
        frames = build_frames(docs, reports, {code: region_chain(code) for code in codes})
        for table, frame in frames.items():
            frame.write_parquet(target / table / f"part-{i:05d}.parquet")
            counts[table] += frame.height
    final = staging_root / "frames"
    old = staging_root / "frames.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    target.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return counts
