"""Consistency rules C1–C4 of SPEC.md, computed on the numbers as printed.

A failed rule is a finding to store and show, never a reason to change a number.
Cells printed blank among printed parts count as 0 for the arithmetic (that is how the
template is filled in practice). A rule instance whose total is printed blank, or whose
parts are all blank, has nothing to compare and is skipped; a rule with no instance
left (or a row not printed at all) is unknown (None), not passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.tables import (
    APPLICANT_COLUMNS,
    OUTCOME_KEYS,
    TABLE4_KEYS,
    TABLE4_RESULT_LABELS,
    TableResult,
)
from pipeline.values import Number

CHECK_NAMES = ("balance", "results_sum", "row_totals", "table4_totals")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    where: str  # the column, row or block that fails
    expected: Number  # what the rule computes from the other cells
    printed: Number  # what the report prints

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "where": self.where,
            "computed": self.expected,
            "printed": self.printed,
        }


def _num(v: Number | None) -> Number:
    return 0 if v is None else v


def _close(a: Number, b: Number) -> bool:
    return abs(a - b) < 1e-6


def _checkable(total: Number | None, parts: Sequence[Number | None]) -> bool:
    """A rule compares a printed total with its printed parts; with either side wholly
    blank there is nothing to compare (a report that leaves its 总计 column empty)."""
    return total is not None and any(p is not None for p in parts)


def run_checks(t3: TableResult, t4: TableResult) -> tuple[dict[str, bool | None], list[Finding]]:
    findings: list[Finding] = []
    results: dict[str, bool | None] = {}

    def row(key: str) -> Sequence[Number | None] | None:
        return t3.values(key) if t3.found else None

    def verdict(check: str, checked: bool) -> bool | None:
        return not any(f.check == check for f in findings) if checked else None

    # C1 balance: new + carried_over = total + carried_forward, per column.
    parts = [row(k) for k in ("new", "carried_over", "total", "carried_forward")]
    checked = False
    if all(p is not None for p in parts):
        new, over, total, forward = parts  # type: ignore[misc]
        for c, name in enumerate(APPLICANT_COLUMNS):
            if not _checkable(total[c], [new[c], over[c]]):
                continue
            checked = True
            lhs = _num(new[c]) + _num(over[c])
            rhs = _num(total[c]) + _num(forward[c])
            if not _close(lhs, rhs):
                findings.append(Finding("balance", name, lhs - _num(forward[c]), _num(total[c])))
    results["balance"] = verdict("balance", checked)

    # C2 results_sum: total = sum of outcome rows, per column.
    total = row("total")
    outcome_rows = [r for r in (row(k) for k in OUTCOME_KEYS) if r is not None]
    checked = False
    if total is not None and outcome_rows:
        for c, name in enumerate(APPLICANT_COLUMNS):
            column = [r[c] for r in outcome_rows]
            if not _checkable(total[c], column):
                continue
            checked = True
            computed = sum(_num(v) for v in column)
            if not _close(computed, _num(total[c])):
                findings.append(Finding("results_sum", name, computed, _num(total[c])))
    results["results_sum"] = verdict("results_sum", checked)

    # C3 row_totals: 总计 = sum of the six applicant columns, per row.
    checked = False
    for key, cells in t3.cells.items() if t3.found else ():
        if cells is None:
            continue
        vals = [c.value for c in cells]
        if not _checkable(vals[6], vals[:6]):
            continue
        checked = True
        computed = sum(_num(v) for v in vals[:6])
        if not _close(computed, _num(vals[6])):
            findings.append(Finding("row_totals", key, computed, _num(vals[6])))
    results["row_totals"] = verdict("row_totals", checked)

    # C4 table4_totals: 总计 = 维持 + 纠正 + 其他 + 尚未审结, per block.
    checked = False
    for key in TABLE4_KEYS if t4.found else ():
        vals = t4.values(key)
        if vals is None or not _checkable(vals[4], vals[:4]):
            continue
        checked = True
        computed = sum(_num(v) for v in vals[:4])
        if not _close(computed, _num(vals[4])):
            findings.append(
                Finding(
                    "table4_totals", f"{key}.{TABLE4_RESULT_LABELS[4]}", computed, _num(vals[4])
                )
            )
    results["table4_totals"] = verdict("table4_totals", checked)
    return results, findings
