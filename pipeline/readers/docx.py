"""Word documents: .docx through python-docx's XML, legacy .doc through LibreOffice.

The body is walked in order (paragraphs, tables, content controls). Tables are laid
out from the underlying XML: `w:gridBefore` skips leading grid columns, `w:gridSpan`
is a horizontal merge and `w:vMerge` (restart / continue) a vertical one, so merged
cells are expanded the way Word draws them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from pipeline.model import Block, Cell, Document, Table, TextBlock
from pipeline.readers import ReadError
from pipeline.readers.html import cell_text
from pipeline.textutil import clean_space

__all__ = ["read_doc", "read_docx"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_CONVERT_TIMEOUT_S = 120


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ---------------------------------------------------------------------------
# Entry points


def read_docx(data: bytes, path: str) -> Document:
    """Read a .docx (or, given OLE bytes, a legacy .doc via LibreOffice)."""
    if not data:
        raise ReadError(f"{path}: empty Word file")
    if data.startswith(_OLE_MAGIC):
        return read_doc(data, path)
    try:
        word = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError) as exc:
        raise ReadError(f"{path}: not a readable .docx (truncated or not Word: {exc})") from exc
    except Exception as exc:  # malformed XML parts raise lxml or ValueError types
        raise ReadError(f"{path}: broken .docx ({type(exc).__name__}: {exc})") from exc
    doc = Document(path=path, format="docx")
    doc.meta.update(_core_meta(word))
    walker = _BodyWalker()
    walker.walk(word.element.body)
    walker.flush()
    doc.blocks = walker.blocks
    if walker.n_images:
        doc.notes.append(f"the document embeds {walker.n_images} image(s); tables may be images")
    return doc


def read_doc(data: bytes, path: str) -> Document:
    """Legacy binary .doc: convert to .docx with LibreOffice when it is installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise ReadError(
            f"{path}: legacy .doc needs conversion, but LibreOffice (soffice) is not on PATH"
        )
    with tempfile.TemporaryDirectory(prefix="ogi-doc-") as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        cmd = [office, "--headless", "--convert-to", "docx", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=_CONVERT_TIMEOUT_S)
        except (subprocess.SubprocessError, OSError) as exc:
            raise ReadError(f"{path}: LibreOffice could not convert the .doc ({exc})") from exc
        out = Path(tmp) / "report.docx"
        if not out.exists():
            raise ReadError(f"{path}: LibreOffice produced no .docx (corrupt .doc?)")
        doc = read_docx(out.read_bytes(), path)
    doc.format = "doc"
    doc.notes.append("legacy .doc converted to .docx with LibreOffice before reading")
    return doc


def _core_meta(word: object) -> dict[str, str]:
    props = word.core_properties  # type: ignore[attr-defined]
    meta: dict[str, str] = {}
    for key in ("title", "author", "subject", "keywords", "last_modified_by"):
        value = getattr(props, key, None)
        if value and str(value).strip():
            meta[key] = str(value).strip()
    for key in ("created", "modified"):
        value = getattr(props, key, None)
        if value is not None:
            meta[key] = value.isoformat()
    return meta


# ---------------------------------------------------------------------------
# Body


class _BodyWalker:
    """Collects paragraphs into text blocks and tables into grids, in body order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.n_tables = 0
        self.n_images = 0

    def flush(self) -> None:
        if self.lines:
            self.blocks.append(TextBlock(text="\n".join(self.lines)))
        self.lines = []

    def walk(self, parent: etree._Element) -> None:
        for child in parent:
            if child.tag == _q("p"):
                self.n_images += sum(1 for _ in child.iter(_q("drawing"), _q("pict")))
                text = clean_space(paragraph_text(child))
                if text:
                    self.lines.append(text)
            elif child.tag == _q("tbl"):
                self.flush()
                table = table_grid(child, self.n_tables)
                if table.rows:
                    self.blocks.append(table)
                    self.n_tables += 1
            elif child.tag in (_q("sdt"), _q("customXml"), _q("sdtContent")):
                # Content controls and custom XML wrap ordinary body content.
                self.walk(child.find(_q("sdtContent")) if child.tag == _q("sdt") else child)


def paragraph_text(p: etree._Element) -> str:
    """Visible text of a paragraph: runs, tabs and breaks; not deleted text, not the
    VML fallback copy of a text box."""
    parts: list[str] = []
    for node in p.iter(_q("t"), _q("tab"), _q("br"), _q("cr"), _q("noBreakHyphen")):
        if any(a.tag == f"{{{MC}}}Fallback" for a in node.iterancestors()):
            continue
        if node.tag == _q("t"):
            parts.append(node.text or "")
        elif node.tag == _q("tab"):
            parts.append("\t")
        elif node.tag == _q("noBreakHyphen"):
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts).replace("\u00a0", " ")


# ---------------------------------------------------------------------------
# Tables


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    raw = el.get(_q("val"))
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def _cell_text(tc: etree._Element) -> str:
    lines = [paragraph_text(p) for p in tc.iter(_q("p"))]
    return cell_text("\n".join(line for line in lines if line.strip()))


def table_grid(tbl: etree._Element, index: int) -> Table:
    """Lay a w:tbl on its grid: gridSpan repeats across, vMerge continue repeats down."""
    placed: dict[tuple[int, int], Cell] = {}
    rows = [tr for tr in tbl if tr.tag == _q("tr")]
    for r, tr in enumerate(rows):
        tr_pr = tr.find(_q("trPr"))
        c = _int_attr(tr_pr.find(_q("gridBefore")) if tr_pr is not None else None, 0)
        for tc in _row_cells(tr):
            tc_pr = tc.find(_q("tcPr"))
            span = max(1, _int_attr(tc_pr.find(_q("gridSpan")) if tc_pr is not None else None, 1))
            vmerge = tc_pr.find(_q("vMerge")) if tc_pr is not None else None
            continues = vmerge is not None and vmerge.get(_q("val"), "continue") == "continue"
            above = placed.get((r - 1, c)) if continues else None
            if above is not None:
                text, first_spanned = above.text, True
            else:
                text, first_spanned = _cell_text(tc), False
            for dc in range(span):
                placed[(r, c + dc)] = Cell(
                    r, c + dc, text, spanned=first_spanned or dc > 0, from_left=dc > 0
                )
            c += span
    n_cols = max((c for _, c in placed), default=-1) + 1
    matrix = [[placed.get((r, c), Cell(r, c, "")) for c in range(n_cols)] for r in range(len(rows))]
    return _compact(matrix, index)


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    """Cells of a row, looking through content controls that wrap cells."""
    cells: list[etree._Element] = []
    for child in tr:
        if child.tag == _q("tc"):
            cells.append(child)
        elif child.tag in (_q("sdt"), _q("customXml")):
            cells += list(child.iter(_q("tc")))
    return cells


def _compact(matrix: list[list[Cell]], index: int) -> Table:
    """Drop rows and columns that are blank everywhere and renumber the cells."""
    rows = [row for row in matrix if any(c.text for c in row)]
    keep = [c for c in range(len(rows[0]))] if rows else []
    keep = [c for c in keep if any(row[c].text for row in rows)]
    grid = [
        [Cell(r, k, row[c].text, row[c].spanned, row[c].from_left) for k, c in enumerate(keep)]
        for r, row in enumerate(rows)
    ]
    return Table(rows=grid, index=index)
