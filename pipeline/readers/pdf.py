"""PDF files: pdfplumber for ruled tables, pypdfium2 for text-only pages, OCR for scans.

Tables are rebuilt from pdfplumber's cell boxes (not its row lists) so merged cells
become spans on a common grid. A table that runs over a page break is stitched: the
continuation's boxes are laid under the previous part and both are gridded together,
a repeated header is dropped, and a merged label cut by the break ("（四）无" | "法提供")
is joined back into one cell.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.model import Block, Document, Table, TextBlock
from pipeline.readers import ReadError
from pipeline.readers.html import SpanCell, cell_text, expand_spans

__all__ = ["read_pdf"]

log = logging.getLogger(__name__)

# Fewer path segments than this and the page cannot hold a ruled table (one framed
# text box is a single rectangle, 4–5 segments).
_MIN_SEGMENTS_FOR_TABLES = 12
_STITCH_EDGE_TOL = 8.0  # pt: how far the two parts' outer edges may differ
_GRID_TOL = 3.0  # pt: boundaries closer than this are the same grid line
_PAGE_MARGIN = 0.12  # fraction of page height treated as header/footer zone

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_PAGE_NO_RE = re.compile(
    r"^\s*(?:[-—–－~·•]+\s*\d{1,4}\s*[-—–－~·•]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_BARE_NO_RE = re.compile(r"^\s*\d{1,3}\s*$")
_NUMERIC_RE = re.compile(r"^[\d\s.,，%\-—－/]+$")
_LABEL_START_RE = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+\s*[.、．]|第)"
)


@dataclass(slots=True)
class _Box:
    """One source cell: its box in page coordinates and its text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass(slots=True)
class _PdfTable:
    """A table part before gridding; `boxes` may come from several pages."""

    boxes: list[_Box]
    page: int
    top: float
    bottom: float
    page_height: float
    x0: float
    x1: float
    pages: list[int] = field(default_factory=list)


_PageItem = TextBlock | Table | _PdfTable


# ---------------------------------------------------------------------------
# Entry point


def read_pdf(data: bytes, path: str) -> Document:
    """Read a PDF into a Document: tables as grids, other text per page in reading order."""
    if not data.strip():
        raise ReadError(f"{path}: empty PDF file")
    doc = Document(path=path, format="pdf")
    try:
        pdfium_doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"{path}: cannot open PDF ({_pdfium_reason(exc)})") from exc
    try:
        doc.meta.update(_metadata(pdfium_doc))
        pages = _read_pages(data, pdfium_doc, path, doc)
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise ReadError(f"{path}: broken PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        pdfium_doc.close()
    doc.blocks = _assemble(pages)
    if not doc.tables and not any(b.text.strip() for b in doc.blocks if isinstance(b, TextBlock)):
        doc.notes.append("no text and no tables could be read from the PDF")
    return doc


def _pdfium_reason(exc: Exception) -> str:
    msg = str(exc)
    if "password" in msg.lower():
        return "encrypted: a password is required"
    return msg


def _metadata(pdfium_doc: pdfium.PdfDocument) -> dict[str, str]:
    meta = {k: v for k, v in pdfium_doc.get_metadata_dict().items() if v and v.strip()}
    meta["pages"] = str(len(pdfium_doc))
    return meta


def _read_pages(
    data: bytes, pdfium_doc: pdfium.PdfDocument, path: str, doc: Document
) -> list[list[_PageItem]]:
    pages: list[list[_PageItem]] = []
    ocr_pages: list[int] = []
    plumber: pdfplumber.PDF | None = None
    try:
        for i in range(len(pdfium_doc)):
            page = pdfium_doc[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range() if textpage.count_chars() else ""
            if not text.strip() or _unmapped(text):
                pages.append(_ocr_page(page, i + 1, doc))
                ocr_pages.append(i + 1)
                continue
            if _count_segments(page) < _MIN_SEGMENTS_FOR_TABLES:
                pages.append(_text_only_page(text, i + 1))
                continue
            if plumber is None:
                plumber = _open_plumber(data, path)
            pages.append(_table_page(plumber.pages[i], i + 1))
    finally:
        if plumber is not None:
            plumber.close()
    if ocr_pages:
        doc.notes.append(
            f"pages without a usable text layer ({_ranges(ocr_pages)}): "
            "text and values come from OCR"
        )
    return pages


_UNMAPPED_RE = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08]")


def _unmapped(text: str) -> bool:
    """A text layer of private-use or replacement characters (fonts without a
    ToUnicode map) is unreadable: such a page is treated as a scan."""
    visible = re.sub(r"\s", "", text)
    return len(visible) >= 20 and len(_UNMAPPED_RE.findall(visible)) > 0.3 * len(visible)


def _open_plumber(data: bytes, path: str) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"{path}: pdfplumber cannot open the PDF ({exc})") from exc


def _count_segments(page: pdfium.PdfPage) -> int:
    """Vector path segments on the page, counted up to the threshold.

    Segments, not path objects: some producers draw a whole grid as one path.
    """
    n = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,)):
        n += max(1, pdfium_c.FPDFPath_CountSegments(obj.raw))
        if n >= _MIN_SEGMENTS_FOR_TABLES:
            break
    return n


def _ranges(nums: list[int]) -> str:
    return ", ".join(str(n) for n in nums) if len(nums) < 6 else f"{nums[0]}–{nums[-1]}"


# ---------------------------------------------------------------------------
# Text


def _clean_lines(text: str) -> list[str]:
    """Page text → lines: CJK letter-spacing removed, page-number lines dropped."""
    lines = [_CJK_GAP_RE.sub("", ln).strip() for ln in text.replace("\r", "").split("\n")]
    lines = [ln for ln in lines if ln and not _PAGE_NO_RE.match(ln)]
    # A bare small number as the first or last line is a page number.
    if lines and _BARE_NO_RE.match(lines[0]):
        lines = lines[1:]
    if lines and _BARE_NO_RE.match(lines[-1]):
        lines = lines[:-1]
    return lines


def _text_only_page(text: str, page_no: int) -> list[_PageItem]:
    lines = _clean_lines(text)
    return [TextBlock(text="\n".join(lines), page=page_no)] if lines else []


def _ocr_page(page: pdfium.PdfPage, page_no: int, doc: Document) -> list[_PageItem]:
    """Render a scanned page and OCR it; without the OCR engine leave a note."""
    from pipeline.readers.image import OcrUnavailable, ocr_pil_image

    image = page.render(scale=2.5).to_pil()
    try:
        blocks = ocr_pil_image(image, page=page_no)
    except OcrUnavailable as exc:
        doc.notes.append(f"page {page_no} is an image without text layer; OCR unavailable ({exc})")
        return []
    return list(blocks)


# ---------------------------------------------------------------------------
# Tables on a page


def _visible(obj: dict) -> bool:
    """Rects that draw nothing (white or unfilled, unstroked) are not table rules.

    Word paints each paragraph's white background as a filled rect; counting those
    edges turns body text into one-column "tables".
    """
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    if not obj.get("fill"):
        return False
    return not _is_white(obj.get("non_stroking_color"))


def _is_white(color: object) -> bool:
    if color is None:
        return False
    vals = color if isinstance(color, (tuple, list)) else (color,)
    try:
        nums = [float(v) for v in vals]
    except (TypeError, ValueError):
        return False
    if len(nums) == 4:  # CMYK: white is no ink
        return all(v <= 0.02 for v in nums)
    return all(v >= 0.98 for v in nums)


def _closing_rules(page: pdfplumber.page.Page) -> list[dict]:
    """Horizontal rules a table lacks where a page break cuts it.

    Word draws no bottom rule on a table part that continues on the next page (and no
    top rule on the continuation): where three or more vertical rules stop at the same
    height without a horizontal rule there, add one so the cut row still closes.
    """
    v_edges = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 5]
    h_edges = [e for e in page.edges if e["orientation"] == "h"]
    rules: list[dict] = []
    for key in ("top", "bottom"):
        for y in _cluster([e[key] for e in v_edges], tol=2.0):
            ends = [e for e in v_edges if abs(e[key] - y) <= 2.0]
            if len(ends) < 3:
                continue
            x0 = min(e["x0"] for e in ends)
            x1 = max(e["x0"] for e in ends)
            covered = sum(
                max(0.0, min(h["x1"], x1) - max(h["x0"], x0))
                for h in h_edges
                if abs(h["top"] - y) <= 2.0
            )
            if covered >= 0.95 * (x1 - x0):
                continue
            rules.append(
                {
                    "object_type": "closing_edge",
                    "orientation": "h",
                    "x0": x0,
                    "x1": x1,
                    "top": y,
                    "bottom": y,
                    "width": x1 - x0,
                    "height": 0,
                }
            )
    return rules


def _table_page(page: pdfplumber.page.Page, page_no: int) -> list[_PageItem]:
    filtered = page.filter(_visible)
    found = filtered.find_tables({"explicit_horizontal_lines": _closing_rules(filtered)})
    parts: list[_PdfTable] = []
    for t in found:
        boxes = _boxes(t)
        if boxes and _n_columns(boxes) > 1:
            x0, top, x1, bottom = t.bbox
            parts.append(_PdfTable(boxes, page_no, top, bottom, float(page.height), x0, x1))
    parts.sort(key=lambda p: p.top)
    items: list[_PageItem] = []
    y = 0.0
    for part in parts:
        items += _text_between(page, page_no, y, part.top, [p for p in parts])
        items.append(part)
        y = part.bottom
    items += _text_between(page, page_no, y, float(page.height), parts)
    return items


def _text_between(
    page: pdfplumber.page.Page, page_no: int, y0: float, y1: float, parts: list[_PdfTable]
) -> list[_PageItem]:
    if y1 - y0 < 1:
        return []
    region = page.crop((0, y0, float(page.width), y1), strict=False)
    # Side-by-side tables are rare; still, never repeat a table's text as prose.
    region = region.filter(lambda o: not _in_any_table(o, parts))
    text = region.extract_text() or ""
    lines = _clean_lines(text)
    return [TextBlock(text="\n".join(lines), page=page_no)] if lines else []


def _in_any_table(obj: dict, parts: list[_PdfTable]) -> bool:
    if obj.get("object_type") != "char":
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(p.x0 <= cx <= p.x1 and p.top <= cy <= p.bottom for p in parts)


def _boxes(table: pdfplumber.table.Table) -> list[_Box]:
    """Pair each cell box with its text (pdfplumber's rows list both in one order)."""
    boxes: list[_Box] = []
    for row, texts in zip(table.rows, table.extract(), strict=False):
        for bbox, text in zip(row.cells, texts, strict=False):
            if bbox is None:
                continue
            boxes.append(_Box(*bbox, text=_pdf_cell_text(text or "")))
    return boxes


def _pdf_cell_text(text: str) -> str:
    return _CJK_GAP_RE.sub("", cell_text(text))


def _n_columns(boxes: list[_Box]) -> int:
    return len(_cluster([b.x0 for b in boxes] + [b.x1 for b in boxes])) - 1


def _cluster(values: list[float], tol: float = _GRID_TOL) -> list[float]:
    """Sorted distinct grid lines: values closer than tol collapse to their mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _nearest(lines: list[float], v: float) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - v))


def _grid(part: _PdfTable, index: int) -> Table:
    """Lay the boxes on the grid their edges define; merged boxes become spans."""
    xs = _cluster([b.x0 for b in part.boxes] + [b.x1 for b in part.boxes])
    ys = _cluster([b.top for b in part.boxes] + [b.bottom for b in part.boxes])
    placed: dict[tuple[int, int], SpanCell] = {}
    for b in part.boxes:
        c0, c1 = _nearest(xs, b.x0), _nearest(xs, b.x1)
        r0, r1 = _nearest(ys, b.top), _nearest(ys, b.bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        placed.setdefault((r0, c0), SpanCell(b.text, r1 - r0, c1 - c0))
    # expand_spans wants source rows in order; covered positions are skipped there.
    rows: list[list[SpanCell]] = []
    covered: set[tuple[int, int]] = set()
    for r in range(len(ys) - 1):
        row: list[SpanCell] = []
        for c in range(len(xs) - 1):
            if (r, c) in covered:
                continue
            cell = placed.get((r, c), SpanCell(""))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    covered.add((r + dr, c + dc))
            row.append(cell)
        rows.append(row)
    return expand_spans(rows, index, page=part.page)


# ---------------------------------------------------------------------------
# Stitching across pages


def _assemble(pages: list[list[_PageItem]]) -> list[Block]:
    """Join table parts split by page breaks, then grid every table in order."""
    merged: list[_PageItem] = []
    for items in pages:
        for k, item in enumerate(items):
            prev = merged[-1] if merged else None
            if (
                k == 0
                and isinstance(item, _PdfTable)
                and isinstance(prev, _PdfTable)
                and _continues(prev, item)
            ):
                _stitch(prev, item)
                continue
            merged.append(item)
    blocks: list[Block] = []
    n = 0
    for item in merged:
        if isinstance(item, _PdfTable):
            table = _grid(item, n)
            if table.rows:
                blocks.append(table)
                n += 1
        elif isinstance(item, Table):  # from OCR of a scanned page
            item.index = n
            blocks.append(item)
            n += 1
        else:
            blocks.append(item)
    return blocks


def _continues(prev: _PdfTable, cont: _PdfTable) -> bool:
    """The previous part ends at its page foot, the next starts at its page head,
    and both have the same outer edges."""
    ends_low = prev.bottom >= prev.page_height * (1 - _PAGE_MARGIN - 0.1)
    starts_high = cont.top <= cont.page_height * (_PAGE_MARGIN + 0.1)
    same_width = (
        abs(prev.x0 - cont.x0) <= _STITCH_EDGE_TOL and abs(prev.x1 - cont.x1) <= _STITCH_EDGE_TOL
    )
    return cont.page == prev.page + 1 + len(prev.pages) and ends_low and starts_high and same_width


def _stitch(prev: _PdfTable, cont: _PdfTable) -> None:
    """Append the continuation's boxes below the previous part, in its coordinates."""
    shift = prev.bottom - cont.top
    # Map the continuation's x range onto the previous part's so columns coincide.
    scale = (prev.x1 - prev.x0) / max(cont.x1 - cont.x0, 1e-6)

    def fx(x: float) -> float:
        return prev.x0 + (x - cont.x0) * scale

    boxes = [_Box(fx(b.x0), b.top + shift, fx(b.x1), b.bottom + shift, b.text) for b in cont.boxes]
    boxes = _drop_repeated_header(prev, boxes, prev.bottom)
    if not boxes:
        return
    _join_cut_cells(prev, boxes)
    prev.boxes.extend(boxes)
    prev.bottom = max(b.bottom for b in boxes)
    prev.pages.append(cont.page)


def _rows_of(boxes: list[_Box]) -> list[list[str]]:
    ys = _cluster([b.top for b in boxes])
    rows: list[list[tuple[float, str]]] = [[] for _ in ys]
    for b in boxes:
        rows[_nearest(ys, b.top)].append((b.x0, re.sub(r"\s", "", b.text)))
    return [[t for _, t in sorted(r)] for r in rows]


def _drop_repeated_header(prev: _PdfTable, boxes: list[_Box], top: float) -> list[_Box]:
    """Drop leading rows of the continuation that repeat the table's first rows."""
    head = _rows_of(prev.boxes)
    cont_rows = _rows_of(boxes)
    ys = _cluster([b.top for b in boxes])
    n = 0
    while n < min(len(head), len(cont_rows) - 1, 4) and cont_rows[n] == head[n] and any(head[n]):
        n += 1
    if n == 0:
        return boxes
    cut = ys[n]
    kept = [b for b in boxes if b.top >= cut - _GRID_TOL]
    shift = cut - top
    return [_Box(b.x0, b.top - shift, b.x1, b.bottom - shift, b.text) for b in kept]


def _join_cut_cells(prev: _PdfTable, boxes: list[_Box]) -> None:
    """Glue label cells cut by the page break to the cell above them.

    In the continuation's first row, a label-column cell that is blank or a fragment
    ("法提供" under "（四）无") is the rest of the merged cell above it, so the upper box
    grows to cover it and takes its text. Numeric columns are never joined.
    """
    top = min(b.top for b in boxes)
    first_row = [b for b in boxes if abs(b.top - top) <= _GRID_TOL]
    numeric_x = [b.x0 for b in first_row if b.text and _NUMERIC_RE.match(b.text)]
    label_limit = min(numeric_x) if numeric_x else float("inf")
    bottom = max(b.bottom for b in prev.boxes)
    last = [b for b in prev.boxes if abs(b.bottom - bottom) <= _GRID_TOL]
    for b in first_row:
        if b.x1 > label_limit + _GRID_TOL or (b.text and _LABEL_START_RE.match(b.text)):
            continue
        if b.text and _NUMERIC_RE.match(b.text):
            continue
        above = next(
            (a for a in last if abs(a.x0 - b.x0) <= _GRID_TOL and abs(a.x1 - b.x1) <= _GRID_TOL),
            None,
        )
        if above is None or not above.text or _NUMERIC_RE.match(above.text):
            continue
        above.bottom = b.bottom
        above.text = above.text + b.text
        boxes.remove(b)
