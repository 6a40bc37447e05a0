"""Recognise tables 2, 3 and 4 of the national template in a stream of logical rows.

Rows are matched by tolerant label keys (SPEC: variants, typos, "1、"/"1.", wrapped
labels, merged group cells), never by exact strings. The format version of each table
is decided from what it prints, never from the report year. Printed values are kept
as printed; when a row prints fewer cells than the template has, the missing cell is
filled only when the official sum rules allow exactly one completion, and that is
recorded as a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline import digitruns
from pipeline.model import TextBlock
from pipeline.rows import Row, Source, Value
from pipeline.values import Number, nfkc, normalise_label, parse_value, strip_marker

APPLICANT_COLUMNS = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
)
APPLICANT_KEYS = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
    "total",
)

TABLE3_KEYS = (
    "new",
    "carried_over",
    "granted",
    "partial",
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_three_safety_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_query_matter",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear_after_correction",
    "not_processed_petition",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_mass_repeat",
    "not_processed_confirm_existing",
    "other",
    "other_overdue_correction",
    "other_overdue_fee",
    "other_other",
    "total",
    "carried_forward",
)
OUTCOME_KEYS = tuple(
    k for k in TABLE3_KEYS if k not in ("new", "carried_over", "total", "carried_forward")
)

TABLE4_KEYS = ("review", "litigation_direct", "litigation_after_review")
TABLE4_RESULTS = ("upheld", "corrected", "other", "pending", "total")
TABLE4_RESULT_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


# How a cell's value was obtained (report_cells.basis):
#   printed  — read from its own printed cell;
#   split    — cut from a run of digits where the rules allow exactly one cut;
#   narrative — cut from a run of digits where only one cut agrees with a count the
#              narrative restates (table 2 only, noted);
#   assumed  — cut from a run of digits under a stated assumption (table 2 only, noted);
#   sum_rule — not printed, filled by a sum rule (derived).
CELL_BASES = ("printed", "split", "narrative", "assumed", "sum_rule")


@dataclass(slots=True)
class ParsedCell:
    value: Number | None
    raw: str | None  # None when the cell was not printed at all
    source: Source | None
    basis: str = "printed"  # one of CELL_BASES

    @property
    def derived(self) -> bool:
        """Filled by a sum rule, not read."""
        return self.basis == "sum_rule"


@dataclass(slots=True)
class TableResult:
    found: bool = False
    version: str | None = None
    cells: dict[str, list[ParsedCell] | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[Number | None] | None:
        cells = self.cells.get(key)
        return None if cells is None else [c.value for c in cells]


# --------------------------------------------------------------------------- table 3

# Group labels set the context for numbered items ("1." means different rows per group).
_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("denied", re.compile(r"不予公开")),
    ("unavailable", re.compile(r"无法提供")),
    ("not_processed", re.compile(r"不予处理")),
    ("other", re.compile(r"其他处理|其它处理")),
)

# Item patterns, most specific first; each may require a group context.
_ITEMS: tuple[tuple[str, str | None, re.Pattern[str]], ...] = (
    ("new", None, re.compile(r"本年(度)?新收")),
    ("carried_over", None, re.compile(r"上年(度)?结转")),
    ("carried_forward", None, re.compile(r"结转下年|转入下年|下年度继续")),
    ("partial", None, re.compile(r"部分公开")),
    ("granted", None, re.compile(r"予以公开")),
    ("denied_state_secret", None, re.compile(r"国家秘密")),
    ("denied_law_prohibited", None, re.compile(r"法律行政|法规禁止|禁止公开")),
    ("denied_three_safety_stability", None, re.compile(r"三安全|一稳定|危及")),
    ("denied_third_party", None, re.compile(r"第三方")),
    ("denied_internal_affairs", None, re.compile(r"内部事务")),
    ("denied_process_info", None, re.compile(r"过程性")),
    ("denied_enforcement_file", None, re.compile(r"执法案卷")),
    ("denied_query_matter", None, re.compile(r"查询事项")),
    ("unavailable_not_held", None, re.compile(r"不掌握")),
    ("unavailable_needs_creation", None, re.compile(r"另行制作|现成信息")),
    ("unavailable_unclear_after_correction", None, re.compile(r"仍不明确|补正后")),
    ("not_processed_petition", None, re.compile(r"信访|举报|投诉")),
    ("not_processed_mass_repeat", None, re.compile(r"大量反复")),
    ("not_processed_repeat", None, re.compile(r"重复申请")),
    ("not_processed_publication", None, re.compile(r"出版物")),
    ("not_processed_confirm_existing", None, re.compile(r"确认或重新|重新出具|已获取信息")),
    ("other_overdue_correction", None, re.compile(r"不补正|逾期不")),
    ("other_overdue_fee", None, re.compile(r"缴纳费用|收费通知|逾期未按")),
    ("total", None, re.compile(r"^总计|^合计")),
    ("other_other", "other", re.compile(r"^其他$|^其它$")),
)


def _match_table3(label: str, group: str | None) -> tuple[str | None, str | None]:
    """Return (row key, new group context) for one label."""
    norm = normalise_label(label)
    new_group = group
    for name, pattern in _GROUPS:
        if pattern.search(norm):
            new_group = name
    # Match items on the last marked part of the label: "（三）不予公开 1.属于国家秘密".
    parts = [strip_marker(p) for p in re.split(r"\s+", label.strip()) if p]
    tail = strip_marker(norm)
    candidates = [tail, *reversed(parts)]
    for key, need_group, pattern in _ITEMS:
        if need_group and new_group != need_group:
            continue
        if key == "granted" and "不予公开" in norm:
            continue
        if any(pattern.search(c) for c in candidates if c):
            return key, new_group
    if new_group == "other" and group != "other":
        return "other", new_group  # the single （六）其他处理 row of the 2019 layout
    return None, new_group


def _is_table3_start(label: str) -> bool:
    return bool(re.search(r"本年(度)?新收", normalise_label(label)))


def _is_section_heading(label: str, numeral: str) -> bool:
    norm = normalise_label(label)
    return bool(re.match(rf"^{numeral}[.、]", norm)) and len(norm) > 6


def parse_table3(rows: Sequence[Row]) -> tuple[TableResult, int | None, int | None]:
    """Find table 3; return the result and the row span it covered."""
    result = TableResult()
    start = next((i for i, r in enumerate(rows) if _is_table3_start(r.label)), None)
    if start is None:
        return result, None, None
    result.found = True
    group: str | None = None
    pending: str | None = None
    assigned: dict[str, list[Value]] = {}
    end = start
    for i in range(start, len(rows)):
        row = rows[i]
        if i > start and (
            _is_section_heading(row.label, "四")
            and "结转" not in row.label
            or "行政复议" in row.label
        ):
            break
        key, group = _match_table3(row.label, group)
        end = i
        if key is None and not row.label.strip() and row.values and pending is not None:
            key = pending  # values printed on the line after their label
        if key is not None and not row.values:
            pending = key  # a label (or group label) whose numbers come later
            continue
        pending = None
        if key is None:
            if row.values and assigned:
                # Values under an unrecognised label: keep them as a finding.
                result.notes.append(
                    f"unrecognised table-3 row {row.label!r} with values {row.raw_values}"
                )
            continue
        if key in assigned:
            if row.values and not assigned[key]:
                assigned[key] = row.values
            elif row.values:
                result.notes.append(f"table-3 row {key} printed twice; kept the first")
            continue
        assigned[key] = row.values
        if key == "carried_forward" and row.values:
            break
    assigned = digitruns.realign_table3(
        rows[start : end + 1], assigned, _match_table3, result.notes
    )
    for key in TABLE3_KEYS:
        vals = assigned.get(key)
        result.cells[key] = None if vals is None else _row_cells(vals, 7)
    digitruns.split_table3(result, assigned)  # cells concatenated in crawled text
    _complete_table3(result)
    for key, cells in result.cells.items():
        if cells is not None and len(cells) != 7:
            result.notes.append(
                f"table-3 row {key}: {len(cells)} cells printed for 7 columns; row left null"
            )
            result.cells[key] = None
    has_sub_other = any(
        result.cells.get(k) for k in ("other_overdue_correction", "other_overdue_fee")
    )
    result.version = "2021" if has_sub_other else "2019"
    return result, start, end


def _row_cells(values: list[Value], width: int) -> list[ParsedCell]:
    cells = [ParsedCell(v.cell.value, v.cell.raw, v.source) for v in values]
    # Grids carry empty cells beyond the template's width: an empty second label
    # cell before the numbers, or an empty column after them.
    while len(cells) > width and (cells[0].raw or "").strip() == "":
        cells.pop(0)
    while len(cells) > width and (cells[-1].raw or "").strip() == "":
        cells.pop()
    return cells


def _complete_table3(result: TableResult) -> None:
    """Fill one missing cell per row only where the sum rules leave one completion.

    A row printing 6 of 7 cells (a column lost in the extraction) has up to 7 ways to
    place the gap. Each way's missing value follows from the row total (C3); the
    column rules (C1, C2) then rule out ways until, hopefully, one is left.
    """
    short = {k: c for k, c in result.cells.items() if c is not None and len(c) == 6}
    if not short:
        return
    options: dict[str, list[list[ParsedCell]]] = {}
    for key, cells in short.items():
        options[key] = _dedupe(_row_completions(cells))
    changed = True
    while changed:
        changed = False
        for key, opts in options.items():
            if len(opts) <= 1:
                continue
            kept = [o for o in opts if _columns_consistent(result, options, key, o)]
            if kept and len(kept) < len(opts):
                options[key] = kept
                changed = True
    for key, opts in options.items():
        if len(opts) == 1:
            result.cells[key] = opts[0]
            gap = next(i for i, c in enumerate(opts[0]) if c.derived)
            same = sum(
                tuple(c.value for c in o) == tuple(c.value for c in opts[0])
                for o in _row_completions(short[key])
            )
            where = (
                f"column {APPLICANT_COLUMNS[gap]}"
                if same == 1
                else f"one of {same} columns (every placement gives this row)"
            )
            result.notes.append(
                f"table-3 row {key}: 6 cells printed; {where} = {opts[0][gap].value}"
                " derived from the sum rules (not printed)"
            )
        else:
            result.notes.append(
                f"table-3 row {key}: 6 cells printed for 7 columns and the sum rules "
                f"allow {len(opts)} completions; row left null"
            )


def _row_completions(cells: list[ParsedCell]) -> list[list[ParsedCell]]:
    out = []
    for gap in range(7):
        filled = cells[:gap] + [ParsedCell(None, None, None, basis="sum_rule")] + cells[gap:]
        nums = [c.value for c in filled]
        others = [n for i, n in enumerate(nums) if i != gap]
        if any(n is None for n in others):
            continue
        value = (
            sum(others[:6])
            if gap == 6
            else nums[6] - sum(n for i, n in enumerate(nums[:6]) if i != gap)
        )
        if value < 0:
            continue
        filled[gap] = ParsedCell(value, None, None, basis="sum_rule")
        out.append(filled)
    return out


def _dedupe(options: list[list[ParsedCell]]) -> list[list[ParsedCell]]:
    seen: dict[tuple, list[ParsedCell]] = {}
    for opt in options:
        seen.setdefault(tuple(c.value for c in opt), opt)
    return list(seen.values())


def _columns_consistent(
    result: TableResult,
    options: dict[str, list[list[ParsedCell]]],
    key: str,
    candidate: list[ParsedCell],
) -> bool:
    """Can C1 and C2 still hold in every column with `candidate` as row `key`?

    Only equations whose other rows are all settled (one option, or fully printed)
    are tested; unknown rows make an equation uninformative.
    """

    def settled(k: str) -> list[Number | None] | None | bool:
        if k == key:
            return [c.value for c in candidate]
        if k in options:
            return [c.value for c in options[k][0]] if len(options[k]) == 1 else False
        cells = result.cells.get(k)
        return None if cells is None or len(cells) != 7 else [c.value for c in cells]

    def column_equation(lhs: Sequence[str], rhs: Sequence[str]) -> bool:
        rows = {k: settled(k) for k in (*lhs, *rhs)}
        if key not in rows or any(v is False for v in rows.values()):
            return True
        for col in range(7):
            left = [rows[k][col] for k in lhs if rows[k] is not None]  # type: ignore[index]
            right = [rows[k][col] for k in rhs if rows[k] is not None]  # type: ignore[index]
            if any(v is None for v in (*left, *right)):
                continue
            if sum(left) != sum(right):  # type: ignore[arg-type]
                return False
        return True

    return column_equation(
        ("new", "carried_over"), ("total", "carried_forward")
    ) and column_equation(("total",), OUTCOME_KEYS)


# --------------------------------------------------------------------------- table 4


def _is_table4_start(label: str) -> bool:
    norm = normalise_label(label)
    return (
        "行政复议" in norm
        and ("行政诉讼" in norm or "结果维持" in norm or norm.endswith("行政复议"))
        or bool(re.search(r"行政(法)?复议.*行政诉讼情况", norm))
    )


def parse_table4(rows: Sequence[Row], after: int = 0) -> TableResult:
    result = TableResult()
    start = next((i for i in range(after, len(rows)) if _is_table4_start(rows[i].label)), None)
    if start is None:
        return result
    values: list[Value] = []
    for i in range(start, len(rows)):
        row = rows[i]
        if i > start and (_is_section_heading(row.label, "五") or "存在的主要问题" in row.label):
            break
        values.extend(v for v in row.values if v.cell.kind != "text")
        if len(values) >= 15 and i > start:
            break
    if not values:
        return result
    result.found = True
    cells = _row_cells(values, 15)
    cells = digitruns.split_table4(values, cells, result.notes)  # concatenated cells
    if len(cells) == 14:
        filled = _complete_table4(cells)
        if filled is None:
            result.notes.append(
                "table 4: 14 cells printed for 15 and the sum rules do not settle the gap"
            )
        else:
            cells, placements = filled
            gap = next(i for i, c in enumerate(cells) if c.derived)
            where = (
                f"{TABLE4_KEYS[gap // 5]} {TABLE4_RESULTS[gap % 5]}"
                if placements == 1
                else f"one of {placements} cells (every placement gives this table)"
            )
            result.notes.append(
                f"table 4: 14 cells printed; {where} = {cells[gap].value}"
                " derived from the block total rule (not printed)"
            )
    if len(cells) > 15:
        result.notes.append(f"table 4: {len(cells)} cells found, kept the first 15")
        cells = cells[:15]
    if len(cells) != 15:
        result.notes.append(f"table 4: {len(cells)} cells found for 15; table left null")
        result.found = False
        return result
    for b, key in enumerate(TABLE4_KEYS):
        result.cells[key] = cells[b * 5 : b * 5 + 5]
    return result


def _complete_table4(cells: list[ParsedCell]) -> tuple[list[ParsedCell], int] | None:
    """The one completion the block totals allow, and how many gap positions give it."""
    completions: dict[tuple, list[ParsedCell]] = {}
    placements = 0
    for gap in range(15):
        filled = cells[:gap] + [ParsedCell(None, None, None, basis="sum_rule")] + cells[gap:]
        block = gap // 5
        part = [filled[block * 5 + j].value for j in range(5)]
        if any(v is None for j, v in enumerate(part) if block * 5 + j != gap):
            continue
        if gap % 5 == 4:
            value = sum(part[:4])  # type: ignore[arg-type]
        else:
            value = part[4] - sum(v for j, v in enumerate(part[:4]) if block * 5 + j != gap)  # type: ignore[operator]
        if value < 0:
            continue
        filled[gap] = ParsedCell(value, None, None, basis="sum_rule")
        if all(_block_ok(filled, b) for b in range(3)):
            completions.setdefault(tuple(c.value for c in filled), filled)
            placements += 1
    return (next(iter(completions.values())), placements) if len(completions) == 1 else None


def _block_ok(cells: list[ParsedCell], block: int) -> bool:
    vals = [cells[block * 5 + j].value for j in range(5)]
    if any(v is None for v in vals):
        return True
    return sum(vals[:4]) == vals[4]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- table 2

# The header row of a table-2 block ("信息内容 本年制发件数 …"), not prose about 信息内容.
_T2_HEADER_RE = re.compile(r"信息内容\s*(?:本年|上一年|采购)")
_T2_BLOCK_RE = re.compile(r"第二十条第[(（]?([一二三四五六七八九十]+)[)）]?项")


@dataclass(slots=True)
class _T2Row:
    key: str
    block: str
    values: list[Value]


_T2_ITEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("regulations", re.compile(r"规章")),
    ("normative_documents", re.compile(r"规范性文件")),
    ("other_admin_services", re.compile(r"其他对外管理服务")),
    ("licensing", re.compile(r"行政许可")),
    ("penalty", re.compile(r"行政处罚")),
    ("coercion", re.compile(r"行政强制")),
    ("fees", re.compile(r"行政事业性收费")),
    ("procurement", re.compile(r"集中采购")),
)


def _match_table2_item(label: str) -> str | None:
    """The table-2 item a row label names: the one named last, since flattened text
    runs the narrative ("…规范性文件类11条…") and block headings into the label."""
    norm = strip_marker(normalise_label(label))
    best: tuple[int, str] | None = None
    for key, pattern in _T2_ITEMS:
        for m in pattern.finditer(norm):
            if best is None or m.end() > best[0]:
                best = (m.end(), key)
    return None if best is None else best[1]


def parse_table2(
    rows: Sequence[Row], end: int | None = None, blocks: Sequence[TextBlock] = ()
) -> TableResult:
    """Table 2 runs from the first "第二十条第（一）项" block to table 3.

    `blocks`, the document's running text, give the narrative's restated counts and a
    2019-layout procurement row printed with units.
    """
    result = TableResult()
    limit = end if end is not None else len(rows)
    # The first block heading, or the first "信息内容" header row when the heading is
    # not there (a page or an extract that begins inside the table).
    start = next(
        (
            i
            for i in range(limit)
            if _T2_BLOCK_RE.search(label := normalise_label(rows[i].label))
            or _T2_HEADER_RE.search(label)
        ),
        None,
    )
    if start is None:
        return result
    block = ""
    header = ""
    found: dict[str, _T2Row] = {}
    for i in range(start, limit):
        row = rows[i]
        norm = normalise_label(row.label)
        if _is_section_heading(row.label, "三"):
            break
        m = _T2_BLOCK_RE.search(norm)
        if m:
            block = m.group(1)
        if re.search(r"本年|现行有效|对外公开总|上一年|处理决定|收费金额|采购", norm):
            header += norm
        key = _match_table2_item(row.label)
        if key and key not in found and row.values:
            found[key] = _T2Row(key, block, row.values)
    if not found:
        return result
    result.found = True
    is_2019 = bool(
        re.search(r"本年新制作|新公开数量|对外公开总数量|上一年项目数量", header)
    ) or any(
        len(r.values) >= 3 for k, r in found.items() if k in ("licensing", "penalty", "coercion")
    )
    result.version = "2019" if is_2019 else "2021"

    widths = dict.fromkeys(("regulations", "normative_documents"), 3)
    if is_2019:
        widths.update(dict.fromkeys(("licensing", "penalty", "coercion"), 3))
        widths.update(other_admin_services=3, fees=2, procurement=2)
    else:
        widths.update(dict.fromkeys(("licensing", "penalty", "coercion", "fees"), 1))
    printed = {k: _row_cells(found[k].values, w) for k, w in widths.items() if k in found}
    cuts = {
        k: digitruns.table2_cuts(k, found[k].values, w, is_2019)
        for k, w in widths.items()
        if k in found
    }
    pending = any(cuts.values()) and not is_2019  # restatements serve the 2021 layout
    restated = digitruns.restated_counts("\n".join(b.text for b in blocks)) if pending else {}
    resolved = digitruns.resolve_table2(printed, cuts, is_2019, result.notes, restated)
    for key, width in widths.items():
        got = resolved.get(key)
        if got is not None and len(got) != width:
            result.notes.append(f"table-2 row {key}: {len(got)} cells for {width}")
            got = None
        result.cells[key] = got
    if is_2019 and result.cells.get("procurement") is None:
        result.cells["procurement"] = _procurement_from_text(blocks)
        if result.cells["procurement"] is not None:
            result.notes.append("table-2 row procurement: read from the text with its units")
    return result


# 政府集中采购 as text prints its count and amount with units, which the row reader takes
# for prose: "政府集中采购1个246900元", "政府集中采购 2笔 984361元", "… 2 45.82万元".
# A unit or a space must separate the two ("156805947.43元" could be cut anywhere).
_PROCUREMENT_TEXT_RE = re.compile(
    r"政府集中采购\s*(?P<items>\d+)(?:\s*[个笔项件次批]\s*|\s+)"
    r"(?P<amount>\d[\d,]*(?:\.\d+)?\s*(?:万元|元))"
)


def _procurement_from_text(blocks: Sequence[TextBlock]) -> list[ParsedCell] | None:
    """2019-layout 政府集中采购 read from running text when its row gave no two cells."""
    for block in blocks:
        m = _PROCUREMENT_TEXT_RE.search(nfkc(block.text))
        if m is None:
            continue
        line = None if block.line is None else block.line + block.text.count("\n", 0, m.start())
        src = Source(page=block.page, line=line)
        items = m.group("items")
        amount = m.group("amount")
        return [
            ParsedCell(int(items), items, src),
            ParsedCell(parse_value(amount).value, amount, src),
        ]
    return None


T2_2021_MEASURES = ("issued", "repealed", "in_force")
T2_2019_MEASURES = ("new_made", "new_published", "total_published")


__all__ = [
    "APPLICANT_COLUMNS",
    "APPLICANT_KEYS",
    "OUTCOME_KEYS",
    "ParsedCell",
    "T2_2019_MEASURES",
    "T2_2021_MEASURES",
    "TABLE3_KEYS",
    "TABLE4_KEYS",
    "TABLE4_RESULTS",
    "TABLE4_RESULT_LABELS",
    "TableResult",
    "parse_table2",
    "parse_table3",
    "parse_table4",
]
