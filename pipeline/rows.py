"""Turn a Document into one stream of logical rows: a label and the values after it.

Grids and text dumps look nothing alike, but both are, read in order, a sequence of
row labels each followed by its numbers. The table recognisers work on that sequence
only, so every reader (HTML, PDF, DOCX, text, OCR) feeds the same parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Document, Table, TextBlock
from pipeline.values import CellValue, has_marker, parse_value


@dataclass(frozen=True, slots=True)
class Source:
    """Where a printed value or label sits in the document."""

    table: int | None = None  # index of the table among the document's tables
    page: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None  # 1-based line number for text documents

    def describe(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.col is not None:
            parts.append(f"col {self.col}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass(slots=True)
class Value:
    cell: CellValue
    source: Source
    glued: bool = False  # a digit run touching text without a separator (crawled text)


@dataclass(slots=True)
class Row:
    label: str
    values: list[Value] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    from_grid: bool = False

    @property
    def raw_values(self) -> list[str]:
        return [v.cell.raw for v in self.values]


_MD_RULE_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_WORD_SPLIT_RE = re.compile(r"[ \u00a0\u3000]+")


def document_rows(doc: Document) -> list[Row]:
    rows: list[Row] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows.extend(_grid_rows(block))
        else:
            rows.extend(_text_rows(block))
    return rows


def _grid_rows(table: Table) -> list[Row]:
    out: list[Row] = []
    for r, cells in enumerate(table.rows):
        parsed = [parse_value(c.text) for c in cells]
        last_text = max((i for i, p in enumerate(parsed) if p.kind == "text"), default=-1)
        labels: list[str] = []
        for c, p in zip(cells[: last_text + 1], parsed[: last_text + 1], strict=True):
            if p.kind == "text" and (not labels or labels[-1] != c.text.strip()):
                labels.append(c.text.strip())
        # A number merged across columns (colspan) is one printed value, not several.
        values = [
            Value(p, Source(table=table.index, page=table.page, row=r, col=c.col))
            for c, p in zip(cells[last_text + 1 :], parsed[last_text + 1 :], strict=True)
            if not c.from_left
        ]
        out.append(
            Row(
                label=" ".join(labels),
                values=values,
                source=Source(table=table.index, page=table.page, row=r),
                from_grid=True,
            )
        )
    return out


def _pieces(line: str) -> list[str]:
    """Split a text line into cells: tabs, markdown pipes, or runs of 2+ spaces."""
    stripped = line.strip()
    if stripped.startswith("|") and "|" in stripped[1:]:
        if _MD_RULE_RE.match(stripped):
            return []
        return [p for p in stripped.strip("|").split("|")]
    if "\t" in line:
        return line.split("\t")
    return re.split(r" {2,}|\u3000{2,}", line)


_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)


def _is_md_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and "|" in stripped[1:]


def _text_rows(block: TextBlock) -> list[Row]:
    """Walk the tokens of a text block and group them into labelled rows.

    A text token that begins with an enumeration marker ("一、", "（三）", "1.") opens
    a new row. Unmarked text continues the current label while no values have been
    seen (a label wrapped onto the next line or cell). After values, unmarked text
    opens a new row when numbers follow it; a short fragment followed by more text
    is the wrapped tail of the previous row's label. A markdown table line is one
    printed row: its first cell always opens a new row (a line of bare numbers is a
    row whose label was printed elsewhere), and its empty cells after the first
    non-empty one are printed blanks. Page-number lines ("— 4 —") are dropped.
    """
    tokens: list[tuple[str, CellValue, Source, bool, bool]] = []
    first_line = block.line or 1
    for offset, line in enumerate(block.text.splitlines()):
        if _PAGE_NUMBER_RE.match(line):
            continue
        md = _is_md_line(line)
        delimited = md or "\t" in line  # cells already separated: no glued runs
        line_start = True
        seen = False
        for col, piece in enumerate(_pieces(line)):
            src = Source(page=block.page, line=first_line + offset, col=col)
            if md and not piece.strip():
                if seen:
                    tokens.append((piece, parse_value(piece), src, False, False))
                continue
            for token, glued in _tokens(piece, glue=not delimited):
                seen = True
                cell = parse_value(token)
                if glued and cell.kind == "text":
                    # Several cells run together ("2648-18538"): a value for the
                    # digit-run splitter, with no single number of its own.
                    cell = CellValue("number", None, token)
                tokens.append((token, cell, src, glued, md and line_start))
                line_start = False

    rows: list[Row] = []
    current: Row | None = None
    for i, (token, cell, src, glued, md_start) in enumerate(tokens):
        if cell.kind != "text":
            if current is None or md_start:
                current = Row(label="", source=src)
                rows.append(current)
            current.values.append(Value(cell, src, glued))
            continue
        next_is_text = i + 1 >= len(tokens) or tokens[i + 1][1].kind == "text"
        starts_row = (
            current is None
            or md_start
            or has_marker(token)
            or (current.values and not (next_is_text and _is_label_tail(token)))
        )
        if starts_row:
            current = Row(label=token.strip(), source=src)
            rows.append(current)
        else:
            assert current is not None
            current.label = f"{current.label} {token.strip()}"
    return rows


def _is_label_tail(token: str) -> bool:
    """A short unmarked fragment after a row's numbers: the wrapped end of its label."""
    text = token.strip()
    return 0 < len(text) <= 8 and not re.search(r"[。；;:：]", text)


# A run of digits inside a text word: "数量230", "000023二、", "2648-18538", "24252.311082",
# "20+1737" (a signed 本年增/减 between two counts).
_RUN_RE = re.compile(r"[-+]?\d+(?:[-+]\d+)*(?:\.\d+)?")
# After a run, these mean prose or an annotation ("77条", "2019年", "16件）", "0591-…；").
_UNIT_AFTER = frozenset("件条个项篇次年月日号余多人家万亿元%％名户天期场岁时分秒周批所类位页")
_PROSE_AFTER = frozenset("，。；：,;:）)》」』/@_～~%")
_PROSE_BEFORE = frozenset("（(《「『/@_:：.～~#")
_MARKER_DOT = frozenset(".、．")


def _glued_segments(word: str) -> list[tuple[str, bool]]:
    """Split a text word into text and number-run segments: [(text, is_value)].

    Crawled page text concatenates table cells with their labels: "规章000行政规范性
    文件693665". A run of digits becomes a value segment unless its neighbours say it
    is prose ("77条", "2019年", "（1）", "www.163.com") or a row number that belongs to
    the next label ("…00000002.其他法律…": the last digit before "." is the marker).
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _RUN_RE.finditer(word):
        start, end = m.span()
        run = m.group()
        before = word[start - 1] if start > 0 else ""
        after = word[end] if end < len(word) else ""
        after2 = word[end + 1] if end + 1 < len(word) else ""
        if before and (before.isascii() and before.isalnum() or before in _PROSE_BEFORE):
            continue
        if after in _MARKER_DOT and not after2.isdigit():
            # The last digit is the next row's enumeration marker ("…00000002.其他").
            if "." in run or re.search(r"[-+]", run[1:]) or len(run.lstrip("-+")) < 2:
                continue
            end -= 1
            run = run[:-1]
        elif after and (
            after in _UNIT_AFTER or after in _PROSE_AFTER or after.isascii() and after.isalpha()
        ):
            continue
        if start > pos:
            out.append((word[pos:start], False))
        out.append((run, True))
        pos = end
    if pos < len(word):
        out.append((word[pos:], False))
    return out


# Table labels printed without an enumeration marker: numbers just before one end the
# previous row ("规章 0 0 0 行政规范性文件 5 0 5 第二十条第（五）项 …").
_UNMARKED_ROW_LABEL_RE = re.compile(
    r"(?:规章|行政规范性文件|规范性文件|其他对外管理服务事项|行政许可|行政处罚|行政强制"
    r"|行政事业性收费|政府集中采购|第二十条|信息内容)"
)


def _opens_row(text: str) -> bool:
    """Text that begins a table row: a marked label or an unmarked template label."""
    return has_marker(text) or bool(_UNMARKED_ROW_LABEL_RE.match(text.strip()))


def _tokens(piece: str, glue: bool = True) -> list[tuple[str, bool]]:
    """Split one cell-like piece into label parts and number tokens: [(token, glued)].

    "1. 属于国家秘密 0 0 0" → ["1. 属于国家秘密", "0", "0", "0"]. A number word before a
    later text word stays in the label ("2023 年") unless the numbers run on into a
    marked label or a glued run ("（七）总计23 0 00 0 023四、结转…"), so prose never
    yields values. Digits glued to text are split off as values (see
    `_glued_segments`) unless `glue` is False (a delimited cell such as "数据1");
    `glued` says a value touched text without a separator.
    """
    piece = piece.strip()
    if not piece:
        return []
    # Segments: (text, kind) with kind "text", "run" (glued value) or "word" (number word).
    segs: list[tuple[str, str, int]] = []
    for w_index, word in enumerate(w for w in _WORD_SPLIT_RE.split(piece) if w):
        parsed = parse_value(word)
        if parsed.kind != "text" and not (glue and parsed.note and has_marker(parsed.note)):
            # A number word; "210000021（二）部分公开（…）" is a run and the next label.
            segs.append((word, "word", w_index))
            continue
        if not glue:
            segs.append((word, "text", w_index))
            continue
        for text, is_value in _glued_segments(word):
            segs.append((text, "run" if is_value else "text", w_index))
    # Decide, right to left, which number words are values.
    is_value = [kind == "run" for _, kind, _ in segs]
    nxt: str | None = None  # "value", "marked", "text" or None (end of piece)
    for i in range(len(segs) - 1, -1, -1):
        text, kind, _ = segs[i]
        if kind == "word":
            is_value[i] = nxt in (None, "value", "marked")
        nxt = "value" if is_value[i] else "marked" if _opens_row(text) else "text"
    out: list[tuple[str, bool]] = []
    label = ""
    last_word = -1
    for (text, kind, w_index), value in zip(segs, is_value, strict=True):
        if value:
            if label:
                out.append((label, False))
                label = ""
            out.append((text, kind == "run"))
        else:
            sep = " " if label and w_index != last_word else ""
            label = f"{label}{sep}{text}"
        last_word = w_index
    if label:
        out.append((label, False))
    if not glue:
        return out
    return [(part, g) for text, g in out for part in _split_sentences(text, g)]


# A marked heading right after the end of a sentence: "…质效。二、主动公开…".
_SENTENCE_MARKER_RE = re.compile(
    r"(?<=[。；！？])(?=[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．](?!\d))"
)
# An item marker glued to the end of the previous label in flattened text, where blank
# rows leave no digits between labels: "…不再处理其政府信息公开申请3.其他（七）总计".
# Not after 第 ("第二十条第（一）项", "第3、4条") and not a decimal ("3.5").
_GLUED_MARKER_RE = re.compile(
    r"(?<=[\u4e00-\u9fff）)”])(?<!第)(?=\d{1,2}[.、．][\u4e00-\u9fff]|[（(][一二三四五六七八九十]{1,2}[)）](?!项))"
)


def _split_sentences(text: str, glued: bool) -> list[str]:
    """Flattened page text runs prose into the next marked heading, and blank rows'
    labels into each other; cut them apart."""
    if glued or parse_value(text).kind != "text":
        return [text]
    parts = [p for p in _SENTENCE_MARKER_RE.split(text) if p]
    return [q for part in parts for q in _GLUED_MARKER_RE.split(part) if q]
