"""Score the table parser against hand-verified gold values (corpus/gold/<id>.json).

Cell accuracy: share of gold numeric cells of tables 2–4 the parser returns exactly.
Blank fidelity: share of gold null cells (printed blank, "/", not printed) returned
as null rather than a number. Every miss is listed with its place and both values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.report import parse_file
from pipeline.tables import CELL_BASES

Cell = tuple[str, Any]  # (path such as "table3.new[6]", value)


def flatten(report: dict[str, Any]) -> Iterator[Cell]:
    """The gold-comparable cells of a report: tables 2, 2019 extras, 3 and 4."""

    def walk(prefix: str, value: Any) -> Iterator[Cell]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(f"{prefix}.{k}", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(f"{prefix}[{i}]", v)
        else:
            yield prefix, value

    for table in ("table2", "table2_2019_extra", "table3", "table4"):
        yield from walk(table, report.get(table))


def _lookup(report: dict[str, Any], path: str) -> Any:
    """Value at a flattened path; a missing parent (row not found) is None."""
    current: Any = report
    for part in path.replace("[", ".[").split("."):
        if current is None:
            return None
        if part.startswith("["):
            idx = int(part[1:-1])
            current = current[idx] if isinstance(current, list) and idx < len(current) else None
        else:
            current = current.get(part) if isinstance(current, dict) else None
    return current


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 1e-9
    return a == b


@dataclass
class DocScore:
    doc_id: str
    fmt: str
    numeric: int = 0
    numeric_ok: int = 0
    nulls: int = 0
    nulls_ok: int = 0
    misses: list[str] = field(default_factory=list)
    error: str | None = None
    bases: dict[str, int] = field(default_factory=dict)  # parsed values per basis


def score_document(doc_path: Path, gold: dict[str, Any]) -> DocScore:
    score = DocScore(gold.get("id") or doc_path.stem, doc_path.suffix.lstrip("."))
    try:
        report = parse_file(doc_path)
    except Exception as exc:  # noqa: BLE001 - scoring must report, not stop
        score.error = f"{type(exc).__name__}: {exc}"
        report = {}
    for cell in report.get("cells") or []:
        if cell.get("value") is not None:
            score.bases[cell["basis"]] = score.bases.get(cell["basis"], 0) + 1
    for path, expected in flatten(gold):
        got = _lookup(report, path)
        if expected is None:
            score.nulls += 1
            if got is None:
                score.nulls_ok += 1
            else:
                score.misses.append(f"{path}: gold null, got {got!r}")
        elif isinstance(expected, int | float) and not isinstance(expected, bool):
            score.numeric += 1
            if _same(got, expected):
                score.numeric_ok += 1
            else:
                score.misses.append(f"{path}: gold {expected!r}, got {got!r}")
    return score


def score_corpus(corpus: Path) -> list[DocScore]:
    scores = []
    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        docs = sorted((corpus / "docs").glob(f"{gold_path.stem}.*"))
        if not docs:
            continue
        scores.append(score_document(docs[0], gold))
    return scores


def format_scores(scores: list[DocScore], verbose: bool = True) -> str:
    lines = [f"{'document':34} {'fmt':5} {'cells':>11} {'nulls':>9}"]
    for s in scores:
        lines.append(
            f"{s.doc_id:34} {s.fmt:5} {s.numeric_ok:>5}/{s.numeric:<5} {s.nulls_ok:>4}/{s.nulls:<4}"
            + (f"  ERROR {s.error}" if s.error else "")
        )
    num = sum(s.numeric for s in scores)
    num_ok = sum(s.numeric_ok for s in scores)
    nul = sum(s.nulls for s in scores)
    nul_ok = sum(s.nulls_ok for s in scores)
    by_kind: dict[str, list[int]] = {}
    for s in scores:
        kind = "pdf/html" if s.fmt in ("pdf", "html") else "derived text"
        acc = by_kind.setdefault(kind, [0, 0])
        acc[0] += s.numeric_ok
        acc[1] += s.numeric
    lines.append("")
    lines.append(
        f"cell accuracy:  {num_ok}/{num} = {num_ok / num:.4f}" if num else "cell accuracy: n/a"
    )
    for kind, (ok, n) in sorted(by_kind.items()):
        lines.append(f"  {kind:14} {ok}/{n} = {ok / n:.4f}" if n else f"  {kind}: n/a")
    lines.append(
        f"blank fidelity: {nul_ok}/{nul} = {nul_ok / nul:.4f}" if nul else "blank fidelity: n/a"
    )
    bases: dict[str, int] = {}
    for s in scores:
        for basis, n in s.bases.items():
            bases[basis] = bases.get(basis, 0) + n
    lines.append(
        "values by basis: " + ", ".join(f"{b} {bases[b]}" for b in CELL_BASES if b in bases)
    )
    if verbose:
        for s in scores:
            for miss in s.misses:
                lines.append(f"  MISS {s.doc_id}: {miss}")
    return "\n".join(lines)
