"""Split runs of concatenated digits into table cells, only where the rules allow one split.

Crawled page text ("page.txt") concatenates a table's cells without separators:
"一、本年新收政府信息公开申请数量21710000218" is 217 | 1 | 0 | 0 | 0 | 0 | 218, and
"行政处罚2648-18538" is 2648 | -18 | 538. A row expecting N cells is resolved by
enumerating every way to cut its digit runs into N cells and keeping the cuts that
satisfy the official sum rules:

* table 3: the row total (C3) per row, then the column rules (C1 balance, C2 results)
  across rows, narrowing rows one at a time against rows already settled;
* table 4: the block totals (C4);
* table 2: no sum rules; only the cut that is the only one possible, or unique under
  weak facts (a count in force or published in total is not smaller than its part;
  a number of items plus its yearly change is not negative). In the 2019 layout a
  row left ambiguous may be settled under a stated assumption (本年增/减 = 0, made =
  published) that the rest of its block agrees with; such cells are marked
  "assumed", never passed off as read.

A cut is accepted only when exactly one remains; otherwise the row is left null and a
note names the row and the number of candidate cuts. Values keep the raw text of the
run they came from; notes say what was inferred. Cutting rules: a cell "0" is one
digit, a longer number never starts with 0, a sign (- or +) starts a cell, separators
that were printed (spaces between runs) are always cell boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

from pipeline.rows import Row, Value
from pipeline.values import Number, nfkc

if TYPE_CHECKING:
    from pipeline.tables import ParsedCell, TableResult

_CELL_RE = re.compile(r"[-+]?(?:0|[1-9]\d*)$")
_DECIMAL_CELL_RE = re.compile(r"[-+]?(?:0|[1-9]\d*)(?:\.\d+)?$")
_RUN_TEXT_RE = re.compile(r"[-+]?\d+(?:[-+]\d+)*(?:\.\d+)?$")

MAX_STEPS = 50_000  # enumeration budget per row; beyond it the row is left null
MAX_KEPT = 5_000

Split = tuple[Number, ...]


@dataclass(frozen=True, slots=True)
class _Run:
    text: str  # NFKC digits of one printed token
    value: Value


class _Budget(Exception):
    pass


def run_tokens(values: Sequence[Value]) -> list[_Run] | None:
    """The values as digit runs, or None when one of them is not a plain digit run."""
    runs = []
    for v in values:
        if v.cell.kind != "number":
            return None
        text = nfkc(v.cell.raw).strip()
        if not _RUN_TEXT_RE.match(text):
            return None
        runs.append(_Run(text, v))
    return runs


def is_glued_row(values: Sequence[Value], width: int) -> bool:
    """Fewer printed tokens than cells, and evidence that cells ran together.

    Evidence: a run glued to text without a separator, or a token no single cell
    could print ("00", "023", "2648-18538").
    """
    return 0 < len(values) < width and any(v.glued or _not_one_cell(v) for v in values)


def _not_one_cell(value: Value) -> bool:
    text = nfkc(value.cell.raw).strip()
    return bool(_RUN_TEXT_RE.match(text)) and not _DECIMAL_CELL_RE.match(text)


def enumerate_splits(
    texts: Sequence[str],
    n: int,
    *,
    decimals: Sequence[bool] | None = None,
    prune: Callable[[list[Number]], bool] | None = None,
    accept: Callable[[list[Number]], bool] | None = None,
    budget: list[int] | None = None,
) -> list[tuple[Split, tuple[int, ...]]]:
    """Every way to cut the runs `texts` into `n` cells: [(values, run index per cell)].

    Each run gives at least one cell; `decimals[i]` allows a decimal in cell i;
    `prune(prefix)` may cut a branch early, `accept(cells)` filters complete cuts.
    Raises _Budget when the enumeration grows too large; `budget` ([steps left]) may
    be shared by several calls.
    """
    out: list[tuple[Split, tuple[int, ...]]] = []
    left_steps = budget if budget is not None else [MAX_STEPS]
    total_chars = [len(t) for t in texts]

    def rec(run: int, pos: int, cells: list[Number], owners: list[int]) -> None:
        left_steps[0] -= 1
        if left_steps[0] < 0 or len(out) > MAX_KEPT:
            raise _Budget
        if run == len(texts):
            if len(cells) == n and (accept is None or accept(cells)):
                out.append((tuple(cells), tuple(owners)))
            return
        left = n - len(cells)
        runs_left = len(texts) - run
        if left < runs_left:
            return
        text = texts[run]
        chars_left = (total_chars[run] - pos) + sum(total_chars[run + 1 :])
        if left > chars_left:
            return
        idx = len(cells)
        pattern = _DECIMAL_CELL_RE if decimals is not None and decimals[idx] else _CELL_RE
        for end in range(pos + 1, len(text) + 1):
            piece = text[pos:end]
            if end < len(text) and text[end] in ".":
                continue  # never cut before a decimal point
            if not pattern.match(piece):
                if piece.lstrip("-+").startswith("0") and len(piece.lstrip("-+")) > 1:
                    break  # a longer number never starts with 0
                continue
            value: Number = float(piece) if "." in piece else int(piece)
            cells.append(value)
            owners.append(run)
            if prune is None or prune(cells):
                if end == len(text):
                    rec(run + 1, 0, cells, owners)
                elif len(cells) < n:
                    rec(run, end, cells, owners)
            cells.pop()
            owners.pop()

    rec(0, 0, [], [])
    return out


def _cells_from(
    split: Split, owners: Sequence[int], runs: Sequence[_Run], basis: str = "split"
) -> list[ParsedCell]:
    from pipeline.tables import ParsedCell

    return [
        ParsedCell(value, runs[o].value.cell.raw, runs[o].value.source, basis=basis)
        for value, o in zip(split, owners, strict=True)
    ]


def _describe(runs: Sequence[_Run]) -> str:
    return " ".join(r.text for r in runs)


# --------------------------------------------------------------------------- table 3


def _table3_candidates(runs: Sequence[_Run]) -> list[tuple[Split, tuple[int, ...]]]:
    """Cuts into 7 cells whose six applicant columns add up to the total (C3).

    The total is a suffix of the last run; the other six cells are enumerated with
    their running sum bounded by it, which keeps long runs cheap.
    """
    texts = [r.text for r in runs]
    if any("." in t for t in texts):
        return []
    structural = _only_split(texts, 7)
    if structural is not None:
        return [structural]  # one cut is possible at all: the rules are not needed
    out: list[tuple[Split, tuple[int, ...]]] = []
    budget = [MAX_STEPS]
    last = texts[-1]
    for start in range(len(last)):
        tail = last[start:]
        if not _CELL_RE.match(tail) or tail[0] in "-+":
            continue
        total = int(tail)
        head = [*texts[:-1], last[:start]] if start else list(texts[:-1])
        if not head:
            continue
        last_owner = len(texts) - 1

        def prune(cells: list[Number], total: int = total) -> bool:
            return cells[-1] >= 0 and sum(cells) <= total

        def accept(cells: list[Number], total: int = total) -> bool:
            return sum(cells) == total

        for split, owners in enumerate_splits(head, 6, prune=prune, accept=accept, budget=budget):
            out.append(((*split, total), (*owners, last_owner)))
    return out


def _only_split(texts: Sequence[str], n: int) -> tuple[Split, tuple[int, ...]] | None:
    """The cut when the run lengths leave exactly one (every cell one digit, …)."""
    digits = sum(len(t.replace("-", "").replace("+", "")) for t in texts)
    if any("." in t for t in texts) or digits != n:
        return None
    got = enumerate_splits(texts, n)
    return got[0] if len(got) == 1 else None


def split_table3(result: TableResult, assigned: Mapping[str, list[Value]]) -> None:
    """Resolve table-3 rows printed as glued digit runs, in place on `result.cells`."""
    from pipeline.tables import OUTCOME_KEYS

    options: dict[str, list[tuple[Split, tuple[int, ...]]]] = {}
    runs_of: dict[str, list[_Run]] = {}
    for key, values in assigned.items():
        if not is_glued_row(values, 7):
            continue
        runs = run_tokens(values)
        if runs is None:
            continue
        runs_of[key] = runs
        try:
            options[key] = _dedupe(_table3_candidates(runs))
        except _Budget:
            options[key] = []
            result.notes.append(
                f"table-3 row {key}: digit run {_describe(runs)!r} has too many possible "
                "cuts to enumerate; row left null"
            )
    if not options:
        return

    def fixed(key: str) -> Split | None | bool:
        """A settled row's values, None when absent, False when still open."""
        if key in options:
            return options[key][0][0] if len(options[key]) == 1 else False
        cells = result.cells.get(key)
        if cells is None or len(cells) != 7:
            return None
        return tuple(c.value for c in cells)  # type: ignore[misc]

    equations = (
        (("new", "carried_over"), ("total", "carried_forward")),
        (("total",), OUTCOME_KEYS),
    )

    def holds(lhs: Sequence[str], rhs: Sequence[str], rows: Mapping[str, Split | None]) -> bool:
        for col in range(7):
            left = [rows[k][col] for k in lhs if rows[k] is not None]  # type: ignore[index]
            right = [rows[k][col] for k in rhs if rows[k] is not None]  # type: ignore[index]
            if any(v is None for v in (*left, *right)):
                continue
            if sum(left) != sum(right):  # type: ignore[arg-type]
                return False
        return True

    def consistent(key: str, split: Split) -> bool:
        """Can every column equation with row `key` = `split` still hold?

        Other open rows take any of their remaining cuts (tried jointly, within a
        budget; beyond it the equation is not used to rule anything out).
        """
        for lhs, rhs in equations:
            if key not in lhs and key not in rhs:
                continue
            base = {k: (split if k == key else fixed(k)) for k in (*lhs, *rhs)}
            open_keys = [k for k, v in base.items() if v is False]
            combos = 1
            for k in open_keys:
                combos *= len(options[k])
            if combos > 20_000:
                continue
            if not any(
                holds(lhs, rhs, base | dict(zip(open_keys, choice, strict=True)))
                for choice in product(*([o[0] for o in options[k]] for k in open_keys))
            ):
                return False
        return True

    changed = True
    while changed:
        changed = False
        for key, opts in options.items():
            if len(opts) <= 1:
                continue
            kept = [o for o in opts if consistent(key, o[0])]
            if kept and len(kept) < len(opts):
                options[key] = kept
                changed = True

    for key, opts in options.items():
        runs = runs_of[key]
        if len(opts) == 1:
            split, owners = opts[0]
            result.cells[key] = _cells_from(split, owners, runs)
            result.notes.append(
                f"table-3 row {key}: digit run {_describe(runs)!r} split as "
                f"{' | '.join(str(v) for v in split)} (the only cut the sum rules allow)"
            )
        else:
            result.cells[key] = None
            why = (
                "no cut satisfies the row total"
                if not opts
                else f"{len(opts)} cuts satisfy the sum rules"
            )
            result.notes.append(
                f"table-3 row {key}: digit run {_describe(runs)!r} not split ({why}); row left null"
            )


def _dedupe(
    options: list[tuple[Split, tuple[int, ...]]],
) -> list[tuple[Split, tuple[int, ...]]]:
    seen: dict[Split, tuple[Split, tuple[int, ...]]] = {}
    for opt in options:
        seen.setdefault(opt[0], opt)
    return list(seen.values())


# ------------------------------------------------------- table 3: rows without labels


def realign_table3(
    rows: Sequence[Row],
    assigned: dict[str, list[Value]],
    match: Callable[[str, str | None], tuple[str | None, str | None]],
    notes: list[str],
) -> dict[str, list[Value]]:
    """Place rows of numbers printed without a usable label by the template's row order.

    PDF→markdown conversions emit some row labels as loose text away from their
    numbers ("| 0 | 0 | … |" lines, labels before or after them). Rows with a
    recognised label and a full set of numbers are anchors; the unlabelled number
    rows between two anchors fill, in order, the template rows between those anchors
    that have no numbers, but only when the counts are equal. Returns `assigned`
    unchanged when there are no such rows or the anchors are out of order.
    """
    from pipeline.tables import TABLE3_KEYS

    group: str | None = None
    seq: list[tuple[str | None, Row]] = []
    sub_rows = False
    for row in rows:
        key, group = match(row.label, group)
        if key in ("other_overdue_correction", "other_overdue_fee", "other_other"):
            sub_rows = True
        seq.append((key, row))
    order = [
        k
        for k in TABLE3_KEYS
        if not (k == "other" and sub_rows) and not (k.startswith("other_") and not sub_rows)
    ]
    rank = {k: i for i, k in enumerate(order)}

    def full(row: Row) -> bool:
        return sum(1 for v in row.values if v.cell.kind == "number") >= 6

    items: list[tuple[str, str | None, Row]] = []  # ("anchor", key, row) | ("loose", None, row)
    for key, row in seq:
        if not full(row):
            continue
        if key is not None and key in rank and row.label.strip():
            items.append(("anchor", key, row))
        elif key is None:
            items.append(("loose", None, row))
    if not any(kind == "loose" for kind, _, _ in items):
        return assigned
    anchors = [rank[k] for kind, k, _ in items if kind == "anchor" and k is not None]
    if any(b <= a for a, b in zip(anchors, anchors[1:], strict=False)):
        notes.append("table 3: labelled rows out of template order; unlabelled rows not placed")
        return assigned

    out = dict(assigned)
    for kind, key, row in items:
        if kind == "anchor" and key is not None:
            out[key] = row.values
    prev = -1
    loose: list[Row] = []
    for kind, key, row in [*items, ("anchor", None, Row(label=""))]:
        if kind == "loose":
            loose.append(row)
            continue
        nxt = rank[key] if key is not None else len(order)
        if loose:
            gap = [k for k in order[prev + 1 : nxt]]
            if len(gap) == len(loose):
                for k, r in zip(gap, loose, strict=True):
                    out[k] = r.values
                    notes.append(
                        f"table-3 row {k}: numbers {[v.cell.raw for v in r.values]} printed "
                        "without a usable label; placed by the template's row order"
                    )
            else:
                notes.append(
                    f"table 3: {len(loose)} rows of numbers without a usable label for "
                    f"{len(gap)} template rows ({', '.join(gap) or 'none'}); not placed"
                )
            loose = []
        prev = nxt
    return out


# --------------------------------------------------------------------------- table 4


def split_table4(
    values: Sequence[Value], cells: list[ParsedCell], notes: list[str]
) -> list[ParsedCell]:
    """Table 4's 15 cells from glued runs when the block totals (C4) leave one cut."""
    if not is_glued_row(values, 15):
        return cells
    runs = run_tokens(values)
    if runs is None or any("." in r.text for r in runs):
        return cells
    texts = [r.text for r in runs]

    def prune(prefix: list[Number]) -> bool:
        if prefix[-1] < 0:
            return False
        if len(prefix) % 5 == 0:
            block = prefix[-5:]
            return sum(block[:4]) == block[4]
        return True

    try:
        only = _only_split(texts, 15)
        opts = [only] if only is not None else _dedupe(enumerate_splits(texts, 15, prune=prune))
    except _Budget:
        notes.append(f"table 4: digit run {_describe(runs)!r} has too many possible cuts")
        return cells
    if len(opts) == 1:
        split, owners = opts[0]
        notes.append(
            f"table 4: digit run {_describe(runs)!r} split as "
            f"{' | '.join(str(v) for v in split)} (the only cut the block totals allow)"
        )
        return _cells_from(split, owners, runs)
    notes.append(
        f"table 4: digit run {_describe(runs)!r} not split "
        f"({len(opts) or 'no'} cuts satisfy the block totals)"
    )
    return cells


# --------------------------------------------------------------------------- table 2


def _t2_accept(key: str, width: int, is_2019: bool) -> Callable[[list[Number]], bool]:
    def ok(c: list[Number]) -> bool:
        if key in ("regulations", "normative_documents") and width == 3:
            if any(v < 0 for v in c):
                return False
            if is_2019:
                # 对外公开总数量 counts this year's newly published items too.
                return c[2] >= c[1]
            return c[2] >= c[0] - c[1]  # issued this year and not repealed are in force
        if width == 3:  # 2019 (五)/(六): 上一年项目数量 · 本年增/减 · 处理决定数量
            return c[0] >= 0 and c[2] >= 0 and c[0] + c[1] >= 0
        if key == "fees" and width == 2:  # 2019 (八): 上一年项目数量 · 本年增/减
            return c[0] >= 0 and c[0] + c[1] >= 0
        if key == "procurement":
            return c[0] >= 0 and c[1] >= 0
        return all(v >= 0 for v in c)

    return ok


@dataclass(frozen=True, slots=True)
class Table2Cuts:
    """A glued table-2 row: its digit runs and every cut the weak facts allow."""

    key: str
    runs: list[_Run]
    options: list[tuple[Split, tuple[int, ...]]]


def table2_cuts(key: str, values: Sequence[Value], width: int, is_2019: bool) -> Table2Cuts | None:
    """The cuts of a glued row, or None when the row's printed cells stand as they are."""
    if width < 2 or not is_glued_row(values, width):
        return None
    runs = run_tokens(values)
    if runs is None:
        return None
    texts = [r.text for r in runs]
    decimals = [key == "procurement" and i == width - 1 for i in range(width)]
    accept = _t2_accept(key, width, is_2019)
    try:
        options = _dedupe(enumerate_splits(texts, width, decimals=decimals, accept=accept))
    except _Budget:
        options = []
    return Table2Cuts(key, runs, options)


@dataclass(frozen=True, slots=True)
class Assumption:
    """A fact that holds in most reports of one table-2 layout but is not a rule.

    Used only for glued rows the rules leave ambiguous, and only when the assumption
    is consistent with every row it covers in the same table: a printed or uniquely
    cut row that contradicts it (a non-zero 本年增/减, say) withdraws it for the
    whole table. A cut chosen this way is marked basis "assumed" and noted.
    """

    name: str
    keys: tuple[str, ...]
    holds: Callable[[Split], bool]
    statement: str


TABLE2_2019_ASSUMPTIONS = (
    Assumption(
        "no_change_in_items",
        ("licensing", "other_admin_services", "penalty", "coercion", "fees"),
        lambda cut: cut[1] == 0,
        "本年增/减 is 0 in every row of （五）（六）（八）",
    ),
    Assumption(
        "made_equals_published",
        ("regulations", "normative_documents"),
        lambda cut: cut[0] == cut[1],
        "本年新制作数量 = 本年新公开数量 in every row of （一）",
    ),
)


# The narrative often restates a table-2 count ("集中公开现行有效行政规范性文件698件，
# 动态更新本年度制发的规范性文件88件"). 2021 layout only: (row, cell index, pattern).
_RESTATED: tuple[tuple[str, int, re.Pattern[str]], ...] = tuple(
    (key, index, re.compile(pattern))
    for key, noun in (("normative_documents", r"(?:行政)?规范性文件"), ("regulations", r"规章"))
    for index, pattern in (
        (
            0,
            rf"(?:本年|本年度|全年|年内)[^，。；\d]{{0,8}}(?:制发|制定|出台|印发)[^，。；\d]{{0,4}}{noun}(\d+)件",
        ),
        (1, rf"废止[^，。；\d]{{0,6}}{noun}(\d+)件"),
        (2, rf"现行有效[^，。；\d]{{0,6}}{noun}(\d+)件"),
    )
)


def restated_counts(text: str) -> dict[str, dict[int, set[int]]]:
    """Table-2 counts (2021 layout) the narrative states in words: {row: {cell: values}}."""
    out: dict[str, dict[int, set[int]]] = {}
    text = nfkc(text)
    for key, index, pattern in _RESTATED:
        for m in pattern.finditer(text):
            out.setdefault(key, {}).setdefault(index, set()).add(int(m.group(1)))
    return out


def resolve_table2(
    printed: Mapping[str, list[ParsedCell]],
    cuts: Mapping[str, Table2Cuts | None],
    is_2019: bool,
    notes: list[str],
    restated: Mapping[str, Mapping[int, set[int]]] | None = None,
) -> dict[str, list[ParsedCell] | None]:
    """Each table-2 row's cells: as printed, cut by the rules, or cut on other evidence.

    Rows the rules leave ambiguous stay null with a note. A row may be settled by the
    narrative restating one of its counts (`restated`, see restated_counts) when
    exactly one cut agrees with it (basis "narrative"), or by an assumption of the 2019
    layout (TABLE2_2019_ASSUMPTIONS) that every other row of its block agrees with and
    that leaves exactly one cut (basis "assumed").
    """
    out: dict[str, list[ParsedCell] | None] = {}
    pending: dict[str, Table2Cuts] = {}
    for key, cells in printed.items():
        row = cuts.get(key)
        if row is None:
            out[key] = cells
        elif len(row.options) == 1:
            split, owners = row.options[0]
            notes.append(
                f"table-2 row {key}: digit run {_describe(row.runs)!r} split as "
                f"{' | '.join(str(v) for v in split)} (the only cut the weak facts allow:"
                " no negative count, no total below its part)"
            )
            out[key] = _cells_from(split, owners, row.runs)
        else:
            pending[key] = row
    if not is_2019:
        for key, by_cell in (restated or {}).items():
            if key in pending:
                _settle_by_narrative(key, by_cell, out, pending, notes)
    for assumption in TABLE2_2019_ASSUMPTIONS if is_2019 else ():
        _settle_under(assumption, out, pending, notes)
    for key, row in pending.items():
        notes.append(
            f"table-2 row {key}: digit run {_describe(row.runs)!r} not split "
            f"({len(row.options) or 'no'} possible cuts); row left null"
        )
        out[key] = None
    return out


def _settle_by_narrative(
    key: str,
    by_cell: Mapping[int, set[int]],
    out: dict[str, list[ParsedCell] | None],
    pending: dict[str, Table2Cuts],
    notes: list[str],
) -> None:
    row = pending[key]
    said = ", ".join(f"cell {i + 1} = {'/'.join(map(str, sorted(v)))}" for i, v in by_cell.items())
    fitting = [o for o in row.options if all(o[0][i] in values for i, values in by_cell.items())]
    if len(fitting) != 1:
        notes.append(
            f"table-2 row {key}: the narrative says {said}; {len(fitting)} of the "
            f"{len(row.options)} cuts of {_describe(row.runs)!r} agree; not used"
        )
        return
    pending.pop(key)
    split, owners = fitting[0]
    notes.append(
        f"table-2 row {key}: digit run {_describe(row.runs)!r} has {len(row.options)} "
        f"possible cuts; split as {' | '.join(str(v) for v in split)}, the only one that "
        f"agrees with the narrative ({said})"
    )
    out[key] = _cells_from(split, owners, row.runs, basis="narrative")


def _settle_under(
    assumption: Assumption,
    out: dict[str, list[ParsedCell] | None],
    pending: dict[str, Table2Cuts],
    notes: list[str],
) -> None:
    covered = [k for k in assumption.keys if k in pending]
    if not covered:
        return
    for key in assumption.keys:
        cells = out.get(key)
        if cells is None or len(cells) < 2 or any(c.value is None for c in cells):
            continue  # not printed, or a blank: says nothing either way
        if not assumption.holds(tuple(c.value for c in cells)):  # type: ignore[misc]
            notes.append(
                f"table 2: assumption {assumption.name} ({assumption.statement}) "
                f"does not hold in row {key}; not used"
            )
            return
    fitting = {k: [o for o in pending[k].options if assumption.holds(o[0])] for k in covered}
    against = [k for k, opts in fitting.items() if not opts]
    if against:
        notes.append(
            f"table 2: assumption {assumption.name} ({assumption.statement}) "
            f"fits no cut of row {against[0]}; not used"
        )
        return
    for key, opts in fitting.items():
        if len(opts) != 1:
            continue
        row = pending.pop(key)
        split, owners = opts[0]
        notes.append(
            f"table-2 row {key}: digit run {_describe(row.runs)!r} has "
            f"{len(row.options)} possible cuts; split as "
            f"{' | '.join(str(v) for v in split)}, the only one where "
            f"{assumption.statement} (assumption {assumption.name}, which every row "
            "of the block allows); an inference, not a printed separation"
        )
        out[key] = _cells_from(split, owners, row.runs, basis="assumed")


def iter_cut_values(texts: Sequence[str], n: int) -> Iterator[Split]:
    """Every cut of `texts` into `n` cells (a convenience for tests and debugging)."""
    for split, _ in enumerate_splits(texts, n):
        yield split


__all__ = [
    "enumerate_splits",
    "is_glued_row",
    "iter_cut_values",
    "run_tokens",
    "realign_table3",
    "resolve_table2",
    "restated_counts",
    "table2_cuts",
    "Table2Cuts",
    "TABLE2_2019_ASSUMPTIONS",
    "Assumption",
    "split_table3",
    "split_table4",
]
