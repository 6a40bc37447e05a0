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


def _text_rows(block: TextBlock) -> list[Row]:
    """Walk the tokens of a text block and group them into labelled rows.

    A text token that begins with an enumeration marker ("一、", "（三）", "1.") opens
    a new row. Unmarked text continues the current label while no values have been
    seen (a label wrapped onto the next line or cell). After values, unmarked text
    opens a new row when numbers follow it; a short fragment followed by more text
    is the wrapped tail of the previous row's label.
    """
    tokens: list[tuple[str, CellValue, Source]] = []
    first_line = block.line or 1
    for offset, line in enumerate(block.text.splitlines()):
        for col, piece in enumerate(_pieces(line)):
            for token in _tokens(piece):
                src = Source(page=block.page, line=first_line + offset, col=col)
                tokens.append((token, parse_value(token), src))

    rows: list[Row] = []
    current: Row | None = None
    for i, (token, cell, src) in enumerate(tokens):
        if cell.kind != "text":
            if current is None:
                current = Row(label="", source=src)
                rows.append(current)
            current.values.append(Value(cell, src))
            continue
        next_is_text = i + 1 >= len(tokens) or tokens[i + 1][1].kind == "text"
        starts_row = (
            current is None
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


def _tokens(piece: str) -> list[str]:
    """Split one cell-like piece into a label part and trailing number tokens.

    "1. 属于国家秘密 0 0 0" → ["1. 属于国家秘密", "0", "0", "0"]. Numbers before the
    last text word stay in the label ("2023 年"), so prose never yields values.
    """
    piece = piece.strip()
    if not piece:
        return []
    words = [w for w in _WORD_SPLIT_RE.split(piece) if w]
    kinds = [parse_value(w).kind for w in words]
    last_text = max((i for i, k in enumerate(kinds) if k == "text"), default=-1)
    out: list[str] = []
    if last_text >= 0:
        out.append(" ".join(words[: last_text + 1]))
    out.extend(words[last_text + 1 :])
    return out
