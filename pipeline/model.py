"""The document model shared by every reader.

A reader turns one file (PDF, HTML, DOCX, text, image) into a `Document`: an ordered
list of blocks, each either a run of text or a table. Tables are grids with merged
spans already expanded, so that the parser never needs to know where a grid came from.
Every cell keeps its raw text and its position, which become the provenance of the
numbers the parser reads from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DocumentFormat = Literal["pdf", "html", "docx", "doc", "txt", "md", "image"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One grid position of a table.

    `spanned` is True when the position is covered by a merged cell whose text was
    printed in another position (rowspan/colspan expanded); the text is repeated
    here so a row's labels can be read without looking elsewhere. `from_left` says
    the merged cell extends from the left (a colspan continuation).
    """

    row: int
    col: int
    text: str
    spanned: bool = False
    # True when the position continues a merged cell printed to its left (colspan):
    # such a copy is not a column of its own when a row's numbers are read.
    from_left: bool = False


@dataclass(slots=True)
class Table:
    """A grid of cells; `rows[r][c]` is the cell at row r, column c."""

    rows: list[list[Cell]]
    index: int  # 0-based position of the table among the document's tables
    page: int | None = None  # 1-based page number for paged formats

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def text_rows(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


@dataclass(slots=True)
class TextBlock:
    """A run of text in reading order (a paragraph, a page's text, or a whole file)."""

    text: str
    page: int | None = None
    line: int | None = None  # 1-based line number of the first line, for text files


Block = TextBlock | Table


@dataclass(slots=True)
class Document:
    """One report file as read: blocks in reading order plus what the container says.

    `meta` holds what the file's container declares besides the body, e.g. the HTML
    <title>, portal meta tags (ArticleTitle, PubDate, ContentSource) or PDF metadata.
    `notes` records what the reader noticed (e.g. "table only as image").
    """

    path: str
    format: DocumentFormat
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def text(self) -> str:
        """Plain text of the whole document; table rows are rendered tab-separated."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                parts.append(block.text)
            else:
                parts.extend("\t".join(c.text for c in row if not c.spanned) for row in block.rows)
        return "\n".join(parts)
