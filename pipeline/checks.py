"""Consistency rules C1–C4 of SPEC.md, computed on the numbers as printed.

A failed rule is a finding to store and show, never a reason to change a number.
Cells printed blank inside a printed row count as 0 for the arithmetic (that is how
the template is filled in practice); a row not printed at all makes the rule unknown.
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


def run_checks(t3: TableResult, t4: TableResult) -> tuple[dict[str, bool | None], list[Finding]]:
    findings: list[Finding] = []
    results: dict[str, bool | None] = {}

    def row(key: str) -> Sequence[Number | None] | None:
        return t3.values(key) if t3.found else None

    # C1 balance: new + carried_over = total + carried_forward, per column.
    parts = [row(k) for k in ("new", "carried_over", "total", "carried_forward")]
    if all(p is not None for p in parts):
        new, over, total, forward = parts  # type: ignore[misc]
        for c, name in enumerate(APPLICANT_COLUMNS):
            lhs = _num(new[c]) + _num(over[c])
            rhs = _num(total[c]) + _num(forward[c])
            if not _close(lhs, rhs):
                findings.append(Finding("balance", name, lhs - _num(forward[c]), _num(total[c])))
        results["balance"] = not any(f.check == "balance" for f in findings)
    else:
        results["balance"] = None

    # C2 results_sum: total = sum of outcome rows, per column.
    total = row("total")
    outcome_rows = [r for r in (row(k) for k in OUTCOME_KEYS) if r is not None]
    if total is not None and outcome_rows:
        for c, name in enumerate(APPLICANT_COLUMNS):
            computed = sum(_num(r[c]) for r in outcome_rows)
            if not _close(computed, _num(total[c])):
                findings.append(Finding("results_sum", name, computed, _num(total[c])))
        results["results_sum"] = not any(f.check == "results_sum" for f in findings)
    else:
        results["results_sum"] = None

    # C3 row_totals: 总计 = sum of the six applicant columns, per row.
    if t3.found:
        checked = False
        for key, cells in t3.cells.items():
            if cells is None:
                continue
            vals = [c.value for c in cells]
            if all(v is None for v in vals):
                continue
            checked = True
            computed = sum(_num(v) for v in vals[:6])
            if not _close(computed, _num(vals[6])):
                findings.append(Finding("row_totals", key, computed, _num(vals[6])))
        results["row_totals"] = (
            not any(f.check == "row_totals" for f in findings) if checked else None
        )
    else:
        results["row_totals"] = None

    # C4 table4_totals: 总计 = 维持 + 纠正 + 其他 + 尚未审结, per block.
    if t4.found:
        for key in TABLE4_KEYS:
            vals = t4.values(key)
            if vals is None:
                continue
            computed = sum(_num(v) for v in vals[:4])
            if not _close(computed, _num(vals[4])):
                findings.append(
                    Finding(
                        "table4_totals", f"{key}.{TABLE4_RESULT_LABELS[4]}", computed, _num(vals[4])
                    )
                )
        results["table4_totals"] = not any(f.check == "table4_totals" for f in findings)
    else:
        results["table4_totals"] = None
    return results, findings
