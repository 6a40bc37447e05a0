"""Images ("图片版" reports, scanned PDF pages): OCR with rapidocr_onnxruntime.

Recognised boxes are regrouped into lines. When the image has ruling lines (a
scanned table), the grid is found from long dark pixel runs, merged cells from missing
rule segments, and each recognised box goes into the cell holding its centre.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from pipeline.model import Block, Document, TextBlock
from pipeline.readers import ReadError
from pipeline.readers.html import SpanCell, cell_text, expand_spans

__all__ = ["OcrUnavailable", "ocr_pil_image", "read_image"]

OCR_NOTE = "values come from OCR (rapidocr_onnxruntime): check digits against the image"
_MIN_SCORE = 0.5
_DARK_LEVEL = 180  # grey level below which a pixel is ink; anti-aliased rules are grey
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed or cannot start."""


@dataclass(slots=True)
class _Word:
    """One recognised text box (axis-aligned) with its text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    # Per-character boxes and texts, when the engine reports them.
    chars: list[tuple[float, float, float, float, str]] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


# ---------------------------------------------------------------------------
# OCR engine


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable("rapidocr_onnxruntime is not installed") from exc
    try:
        return RapidOCR()
    except Exception as exc:  # model loading problems surface as assorted errors
        raise OcrUnavailable(f"OCR engine failed to start: {exc}") from exc


def _recognise(image: Image.Image) -> list[_Word]:
    # Report pages are upright: skip the text-direction classifier. Character boxes
    # let a box that runs over a table rule be split between the cells.
    result, _ = _engine()(np.asarray(image.convert("RGB")), use_cls=False, return_word_box=True)
    words: list[_Word] = []
    for item in result or []:
        box, text, score = item[0], str(item[1]).strip(), float(item[2])
        if score < _MIN_SCORE or not text:
            continue
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        words.append(_Word(min(xs), min(ys), max(xs), max(ys), text, _chars(item)))
    return words


def _chars(item: list[Any]) -> list[tuple[float, float, float, float, str]]:
    if len(item) < 5 or not item[3] or len(item[3]) != len(item[4]):
        return []
    out = []
    for box, ch in zip(item[3], item[4], strict=True):
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        out.append((min(xs), min(ys), max(xs), max(ys), str(ch)))
    return out


def _split_by_cell(w: _Word, cell_of: Any) -> dict[Any, _Word]:
    """Split a box into per-cell pieces using its character boxes."""
    pieces: dict[Any, _Word] = {}
    for x0, top, x1, bottom, ch in w.chars:
        key = cell_of((x0 + x1) / 2, (top + bottom) / 2)
        if key is None:
            continue
        p = pieces.get(key)
        if p is None:
            pieces[key] = _Word(x0, top, x1, bottom, ch)
        else:
            p.x0, p.top = min(p.x0, x0), min(p.top, top)
            p.x1, p.bottom = max(p.x1, x1), max(p.bottom, bottom)
            p.text += ch
    return pieces


# ---------------------------------------------------------------------------
# Lines


def _lines(words: list[_Word]) -> list[list[_Word]]:
    """Group boxes into text lines: a box joins a line when its centre lies within
    the line's vertical extent."""
    lines: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for line in lines:
            top = min(x.top for x in line)
            bottom = max(x.bottom for x in line)
            if top <= w.cy <= bottom and abs(w.height - line[0].height) < line[0].height:
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda ln: min(w.top for w in ln))
    return lines


def _line_text(line: list[_Word]) -> str:
    return _CJK_GAP_RE.sub("", " ".join(w.text for w in line))


# ---------------------------------------------------------------------------
# Ruled tables


def _rules(dark: np.ndarray, axis: int, min_frac: float) -> list[int]:
    """Positions of long straight dark runs: rows (axis=1) or columns (axis=0).

    A line counts when its longest run of dark pixels covers `min_frac` of the size.
    """
    size = dark.shape[axis]
    arr = dark if axis == 1 else dark.T
    positions: list[int] = []
    for i, row in enumerate(arr):
        if row.sum() < size * min_frac:
            continue
        if _longest_run(row) >= size * min_frac:
            positions.append(i)
    return _merge_close(positions)


def _longest_run(row: np.ndarray) -> int:
    padded = np.concatenate(([0], row.astype(np.int8), [0]))
    diff = np.diff(padded)
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1)
    return int((ends - starts).max()) if len(starts) else 0


def _merge_close(positions: list[int], gap: int = 4) -> list[int]:
    groups: list[list[int]] = []
    for p in positions:
        if groups and p - groups[-1][-1] <= gap:
            groups[-1].append(p)
        else:
            groups.append([p])
    return [round(sum(g) / len(g)) for g in groups]


def _segment_present(dark: np.ndarray, fixed: int, a: int, b: int, vertical: bool) -> bool:
    """Is there a rule at `fixed` between a and b (a short stretch of the grid line)?"""
    lo, hi = a + 3, b - 3
    if hi <= lo:
        return True
    band = slice(max(fixed - 2, 0), fixed + 3)
    seg = dark[lo:hi, band] if vertical else dark[band, lo:hi]
    covered = seg.any(axis=1 if vertical else 0)
    return covered.mean() >= 0.8


def _band_verticals(dark: np.ndarray, a: int, b: int) -> list[int]:
    """x positions of vertical rules that cross the whole band between two rules."""
    if b - a < 8:
        return []
    frac = dark[a + 3 : b - 2].mean(axis=0)
    return _merge_close([int(x) for x in np.flatnonzero(frac >= 0.9)])


def _table_regions(image: Image.Image) -> tuple[list[tuple[list[int], list[int]]], np.ndarray]:
    """Ruled tables of the image as (row rules, column rules), top to bottom.

    Consecutive horizontal rules belong to one table when vertical rules join them.
    """
    dark = np.asarray(image.convert("L")) < _DARK_LEVEL
    h_rules = _rules(dark, axis=1, min_frac=0.3)
    regions: list[tuple[list[int], list[int]]] = []
    ys: list[int] = h_rules[:1]
    xs: list[int] = []
    for a, b in zip(h_rules, h_rules[1:], strict=False):
        band_xs = _band_verticals(dark, a, b)
        if len(band_xs) >= 2:
            ys.append(b)
            xs += band_xs
            continue
        if len(ys) >= 2:
            regions.append((ys, _merge_close(sorted(xs), gap=6)))
        ys, xs = [b], []
    if len(ys) >= 2:
        regions.append((ys, _merge_close(sorted(xs), gap=6)))
    return [(y, x) for y, x in regions if len(x) >= 2], dark


def _cells_from_grid(
    ys: list[int], xs: list[int], dark: np.ndarray
) -> list[list[tuple[int, int, int, int]]]:
    """Merged rectangles (r0, c0, r1, c1) per source row, found from missing rules."""
    n_r, n_c = len(ys) - 1, len(xs) - 1
    owner = [[(r, c) for c in range(n_c)] for r in range(n_r)]

    def find(rc: tuple[int, int]) -> tuple[int, int]:
        r, c = rc
        while owner[r][c] != (r, c):
            r, c = owner[r][c]
        return r, c

    for r in range(n_r):
        for c in range(n_c):
            if c + 1 < n_c and not _segment_present(dark, xs[c + 1], ys[r], ys[r + 1], True):
                a, b = find((r, c)), find((r, c + 1))
                if a != b:
                    owner[b[0]][b[1]] = min(a, b)
                    owner[a[0]][a[1]] = min(a, b)
            if r + 1 < n_r and not _segment_present(dark, ys[r + 1], xs[c], xs[c + 1], False):
                a, b = find((r, c)), find((r + 1, c))
                if a != b:
                    owner[b[0]][b[1]] = min(a, b)
                    owner[a[0]][a[1]] = min(a, b)
    spans: dict[tuple[int, int], list[int]] = {}
    for r in range(n_r):
        for c in range(n_c):
            root = find((r, c))
            s = spans.setdefault(root, [r, c, r, c])
            s[2], s[3] = max(s[2], r), max(s[3], c)
    rows: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_r)]
    for (r0, c0), (_, _, r1, c1) in sorted(spans.items()):
        rows[r0].append((r0, c0, r1 + 1, c1 + 1))
    for row in rows:
        row.sort(key=lambda s: s[1])
    return rows


def _table_from_words(
    words: list[_Word],
    ys: list[int],
    xs: list[int],
    dark: np.ndarray,
    index: int,
    page: int | None,
    image: Image.Image,
) -> tuple[Any, list[_Word]]:
    """Build the grid and put every box whose centre is inside it into its cell.

    A box that straddles a column rule (the detector joined neighbouring cells) is
    dropped and the cells it covered are recognised again one by one.
    """
    rects = _cells_from_grid(ys, xs, dark)
    owner: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for row in rects:
        for rect in row:
            r0, c0, r1, c1 = rect
            for r in range(r0, r1):
                for c in range(c0, c1):
                    owner[(r, c)] = rect

    def cell_of(x: float, y: float) -> tuple[int, int, int, int] | None:
        if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
            return None
        return owner[(_slot(ys, y), _slot(xs, x))]

    inside: dict[tuple[int, int, int, int], list[_Word]] = {}
    redo: set[tuple[int, int, int, int]] = set()
    outside: list[_Word] = []
    for w in words:
        if not (xs[0] <= w.cx <= xs[-1] and ys[0] <= w.cy <= ys[-1]):
            outside.append(w)
            continue
        r = _slot(ys, w.cy)
        hit = {owner[(r, c)] for c in range(len(xs) - 1) if _overlap(w, xs[c], xs[c + 1]) > 8}
        if len(hit) > 1 and w.chars:
            for rect, piece in _split_by_cell(w, cell_of).items():
                inside.setdefault(rect, []).append(piece)
            continue
        if len(hit) > 1:
            redo |= hit
            continue
        inside.setdefault(owner[(r, _slot(xs, w.cx))], []).append(w)
    rows: list[list[SpanCell]] = []
    for row in rects:
        cells = []
        for rect in row:
            r0, c0, r1, c1 = rect
            if rect in redo:
                text = _recognise_cell(image, xs[c0], ys[r0], xs[c1], ys[r1])
            else:
                text = "\n".join(_line_text(ln) for ln in _lines(inside.get(rect, [])))
            cells.append(SpanCell(_ocr_cell_text(text), r1 - r0, c1 - c0))
        rows.append(cells)
    return expand_spans(rows, index, page=page), outside


def _slot(lines: list[int], v: float) -> int:
    return max(0, min(len(lines) - 2, max(i for i in range(len(lines)) if lines[i] <= v)))


def _overlap(w: _Word, a: float, b: float) -> float:
    return max(0.0, min(w.x1, b) - max(w.x0, a))


def _recognise_cell(image: Image.Image, x0: int, y0: int, x1: int, y1: int) -> str:
    crop = image.crop((x0 + 3, y0 + 3, x1 - 2, y1 - 2))
    if crop.width < 4 or crop.height < 4:
        return ""
    # Upscale small cells: the recogniser wants glyphs of a reasonable size.
    factor = max(1, round(48 / max(crop.height, 1)))
    if factor > 1:
        crop = crop.resize((crop.width * factor, crop.height * factor))
    return "\n".join(_line_text(ln) for ln in _lines(_recognise(crop)))


_DIGITISH_RE = re.compile(r"^[0-9oOlI|.,，\s]+$")


def _ocr_cell_text(text: str) -> str:
    """Cell text; in an all-digit cell the usual OCR confusions are undone (o→0, l→1)."""
    text = cell_text(text)
    if _DIGITISH_RE.match(text) and any(ch.isdigit() for ch in text) or text in ("o", "O"):
        text = text.translate(str.maketrans("oOlI|", "00111"))
    return text


# ---------------------------------------------------------------------------
# Public API


def ocr_pil_image(image: Image.Image, page: int | None = None) -> list[Block]:
    """OCR one page image into blocks: text lines and ruled tables in page order."""
    words = _recognise(image)
    regions, dark = _table_regions(image)
    blocks: list[Block] = []
    rest = words
    y = -1.0
    for ys, xs in regions:
        table, rest_after = _table_from_words(rest, ys, xs, dark, 0, page, image)
        above = [w for w in rest_after if y <= w.cy < ys[0]]
        _add_text(blocks, above, page)
        if table.rows:
            blocks.append(table)
        rest = [w for w in rest_after if w.cy >= ys[0]]
        y = ys[-1]
    _add_text(blocks, rest, page)
    return blocks


def _add_text(blocks: list[Block], words: list[_Word], page: int | None) -> None:
    text = "\n".join(_line_text(ln) for ln in _lines(words))
    if text:
        blocks.append(TextBlock(text=text, page=page))


def read_image(data: bytes, path: str) -> Document:
    """OCR a PNG/JPEG/… report image (or every frame of a multi-page TIFF)."""
    if not data:
        raise ReadError(f"{path}: empty image file")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable image ({exc})") from exc
    doc = Document(path=path, format="image")
    doc.meta.update({"width": str(img.width), "height": str(img.height)})
    blocks: list[Block] = []
    n_frames = getattr(img, "n_frames", 1)
    try:
        for frame in range(n_frames):
            img.seek(frame)
            blocks += ocr_pil_image(img.copy(), page=frame + 1 if n_frames > 1 else None)
    except OcrUnavailable as exc:
        raise ReadError(f"{path}: image report needs OCR, which is unavailable ({exc})") from exc
    doc.blocks = _renumber(blocks)
    doc.notes.append(OCR_NOTE)
    return doc


def _renumber(blocks: list[Block]) -> list[Block]:
    n = 0
    for b in blocks:
        if not isinstance(b, TextBlock):
            b.index = n
            n += 1
    return blocks
