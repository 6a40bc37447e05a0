"""HTML pages: portal article templates, Word-pasted markup, real <table>s with spans.

The page is decoded (GBK/GB2312 pages included), the report body is located inside the
portal template (known content containers first, then the densest text container), and
the body is walked in document order into text blocks and tables. Portal meta tags and
the article header lines (发布机构, 公开日期, 来源 …) go to `Document.meta`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from pipeline.model import Block, Cell, Document, Table, TextBlock
from pipeline.readers import ReadError
from pipeline.textutil import clean_space, decode_bytes

__all__ = ["SpanCell", "expand_spans", "read_html", "cell_text"]

# ---------------------------------------------------------------------------
# Span expansion, shared by the HTML, DOCX and PDF readers.


@dataclass(slots=True)
class SpanCell:
    """A source cell before expansion: its text and how many rows/columns it covers."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def expand_spans(rows: list[list[SpanCell]], index: int, page: int | None = None) -> Table:
    """Lay out source rows on a grid the way a browser does and repeat merged text.

    Positions covered by a merged cell get its text with `spanned=True`. Ragged rows are
    padded with blank cells; rows and columns that are blank everywhere are dropped
    (Word emits zero-height layout rows).
    """
    grid: dict[tuple[int, int], Cell] = {}
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            rs = max(1, min(cell.rowspan, n_rows - r))
            cs = max(1, min(cell.colspan, 200))
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = Cell(
                        r + dr, c + dc, cell.text, spanned=bool(dr or dc), from_left=dc > 0
                    )
            c += cs
    n_cols = max((c for _, c in grid), default=-1) + 1
    matrix = [[grid.get((r, c), Cell(r, c, "")) for c in range(n_cols)] for r in range(n_rows)]
    return _renumber(_drop_blank(matrix), index, page)


def _drop_blank(matrix: list[list[Cell]]) -> list[list[Cell]]:
    rows = [row for row in matrix if any(c.text for c in row)]
    if not rows:
        return []
    keep = [c for c in range(len(rows[0])) if any(row[c].text for row in rows)]
    return [[row[c] for c in keep] for row in rows]


def _renumber(matrix: list[list[Cell]], index: int, page: int | None) -> Table:
    rows = [
        [Cell(r, c, cell.text, cell.spanned, cell.from_left) for c, cell in enumerate(row)]
        for r, row in enumerate(matrix)
    ]
    return Table(rows=rows, index=index, page=page)


_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")


def cell_text(text: str) -> str:
    """Normalise a cell's white space, keeping its raw characters.

    Line breaks inside a cell are wrapping, not content: between two CJK characters
    they vanish ("商业\\n企业" → "商业企业"), elsewhere they become one space.
    """
    return clean_space(_CJK_BREAK_RE.sub("", text))


# ---------------------------------------------------------------------------
# Decoding

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)


def _decode(data: bytes, doc: Document) -> str:
    m = _CHARSET_RE.search(data[:8192])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared:
        doc.meta["charset"] = declared
    try:
        # Valid UTF-8 with non-ASCII bytes is never accidental; many pages lie.
        text = data.decode("utf-8")
        if declared and declared not in ("utf-8", "utf8"):
            doc.notes.append(f"page declares {declared} but is UTF-8; read as UTF-8")
        return text
    except UnicodeDecodeError:
        pass
    text = decode_bytes(data, declared)
    if not declared:
        doc.notes.append("page declares no charset; decoded by detection (GB18030 first)")
    return text


# ---------------------------------------------------------------------------
# Body detection

_SKIP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
    "head", "title", "meta", "link", "button", "select", "input", "textarea", "form",
    "nav", "footer", "header",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "section", "article", "blockquote", "center", "dd", "dt", "dl", "pre",
    "hr", "caption", "tbody", "thead", "tfoot", "main", "aside", "address",
}  # fmt: skip
# Known content containers of Chinese government portal templates, most specific first.
_BODY_XPATHS = [
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    "//*[local-name()='ucapcontent']",
    "//div[@id='zoomcon' or @id='zoom' or @id='UCAP-CONTENT' or @id='Zoom']",
    "//div[contains(@class, 'article_content') or contains(@class, 'article-content')]",
    "//div[contains(@class, 'pages_content') or contains(@class, 'view TRS_UEDITOR')]",
    "//div[@id='content' or @class='content' or contains(@class, 'zw-con')]",
]
_MIN_BODY_CHARS = 200


def _is_hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _visible_len(el: etree._Element) -> int:
    return len(re.sub(r"\s+", "", "".join(el.itertext())))


def _find_body(root: etree._Element, doc: Document) -> etree._Element:
    for xp in _BODY_XPATHS:
        found = [e for e in root.xpath(xp) if _visible_len(e) >= _MIN_BODY_CHARS]
        if found:
            # Several matches (nested editors, side boxes): the one with most text.
            best = max(found, key=_visible_len)
            doc.meta["body_container"] = _describe(best)
            return best
    best = _densest(root)
    doc.meta["body_container"] = _describe(best)
    doc.notes.append(f"no known content container; used densest text block {_describe(best)}")
    return best


def _describe(el: etree._Element) -> str:
    cls = (el.get("class") or "").strip()
    ident = el.get("id")
    return f"{el.tag}" + (f"#{ident}" if ident else "") + (f".{cls.split()[0]}" if cls else "")


def _densest(root: etree._Element) -> etree._Element:
    """The container whose own paragraphs and tables hold the most non-link text."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter("p", "table", "font", "span", "td"):
        if (
            el.tag in ("span", "font", "td")
            and el.getparent() is not None
            and el.getparent().tag in ("p", "span", "font")
        ):
            continue
        text = re.sub(r"\s+", "", "".join(el.itertext()))
        if not text:
            continue
        links = sum(len(re.sub(r"\s+", "", "".join(a.itertext()))) for a in el.iter("a"))
        weight = len(text) - 2 * links
        parent = el.getparent()
        # Walk up past table internals so a table counts for its container.
        while parent is not None and parent.tag in ("tbody", "tr", "td", "th", "thead"):
            parent = parent.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + weight
    if not scores:
        body = root.find(".//body")
        return body if body is not None else root
    return max(scores, key=scores.get)


# ---------------------------------------------------------------------------
# Portal meta

_META_NAMES = {
    "articletitle", "pubdate", "contentsource", "author", "sitename", "columnname",
    "keywords", "description", "desctiption", "firstimgsrc", "url", "publishdate",
}  # fmt: skip
_HEADER_LABELS = (
    "发布机构", "发文机关", "发布单位", "公开日期", "发布日期", "发布时间", "成文日期",
    "生成日期", "索引号", "文号", "发文字号", "来源", "信息来源", "文章来源", "主题分类",
    "时间", "公开方式", "公开范围", "作者",
)  # fmt: skip
_HEADER_RE = re.compile(rf"^\s*({'|'.join(_HEADER_LABELS)})\s*[：:]\s*(.*\S)?\s*$")


def _collect_meta(root: etree._Element, body: etree._Element, doc: Document) -> None:
    title = root.find(".//title")
    if title is not None and (t := clean_space(title.text_content())):
        doc.meta["title"] = t
    for m in root.iter("meta"):
        name = (m.get("name") or "").strip()
        content = clean_space(m.get("content") or "")
        if name.lower() in _META_NAMES and content and name not in doc.meta:
            doc.meta[name] = content
    h1 = [e for e in root.iter("h1") if clean_space(e.text_content())]
    if h1:
        doc.meta.setdefault("h1", clean_space(h1[0].text_content()))
    _header_table_pairs(root, body, doc)
    _header_lines(root, body, doc)


def _inside(el: etree._Element, body: etree._Element) -> bool:
    return el is body or any(a is body for a in el.iterancestors())


def _header_table_pairs(root: etree._Element, body: etree._Element, doc: Document) -> None:
    """Label/value cells of the 信息公开 header table (索引号 | … | 发布机构 | …)."""
    for td in root.iter("td", "th"):
        if _inside(td, body):
            continue
        label = re.sub(r"[\s：:]", "", td.text_content())
        if label not in _HEADER_LABELS:
            continue
        nxt = td.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None and nxt.tag in ("td", "th"):
            value = clean_space(nxt.text_content())
            if value and label not in doc.meta:
                doc.meta[label] = value


def _header_lines(root: etree._Element, body: etree._Element, doc: Document) -> None:
    """Short 'label：value' elements of the article header (来源：…, 时间：…)."""
    found: dict[str, list[tuple[etree._Element, str]]] = {}
    for el in root.iter("span", "div", "p", "li", "em", "font", "td", "i", "b", "label"):
        if len(el) > 6 or _inside(el, body):
            continue
        text = clean_space(el.text_content())
        if not text or len(text) > 80:
            continue
        # A header row can hold several pairs: "发布时间：2024-01-02 来源：某局".
        for part in re.split(r"\s+(?=(?:" + "|".join(_HEADER_LABELS) + r")\s*[：:])", text):
            m = _HEADER_RE.match(part)
            if m and m.group(2):
                found.setdefault(m.group(1), []).append((el, m.group(2)))
    for label, hits in found.items():
        if label in doc.meta:
            continue
        # The innermost element carrying the pair: its value has no neighbours' text.
        for el, value in hits:
            inner = [v for e, v in hits if e is not el and any(a is el for a in e.iterancestors())]
            if not inner:
                doc.meta[label] = value
                break


# ---------------------------------------------------------------------------
# Body walk


class _Walker:
    """Walks the body in document order, emitting text lines and tables."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.first_line: int | None = None
        self.n_tables = 0

    def flush(self) -> None:
        lines = [clean_space(x) for x in _join_breaks("".join(self.buf)).split("\n")]
        lines = [x for x in lines if x]
        if lines:
            self.blocks.append(TextBlock(text="\n".join(lines), line=self.first_line))
        self.buf = []
        self.first_line = None

    def walk(self, el: etree._Element, pre: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment / processing instruction
            self._tail(el, pre)
            return
        tag = tag.lower()
        if tag in _SKIP_TAGS or _is_hidden(el):
            self._tail(el, pre)
            return
        if tag == "table" and not _is_layout_table(el):
            self.flush()
            table = _table_from(el, self.n_tables)
            if table.rows:
                self.blocks.append(table)
                self.n_tables += 1
            self._tail(el, pre)
            return
        inner_pre = pre or _is_pre(el)  # the tail stays in the parent's mode
        if tag in _BLOCK_TAGS:
            self.buf.append("\n")
        if tag == "img":
            self._image(el)
        if el.text:
            self._text(el.text, inner_pre, el)
        for child in el:
            self.walk(child, inner_pre)
        if tag in _BLOCK_TAGS:
            self.buf.append("\n")
        elif tag in ("td", "th"):
            self.buf.append(" ")
        self._tail(el, pre)

    def _tail(self, el: etree._Element, pre: bool) -> None:
        if el.tail:
            self._text(el.tail, pre, el)

    def _text(self, text: str, pre: bool, el: etree._Element) -> None:
        if self.first_line is None and text.strip():
            self.first_line = el.sourceline
        self.buf.append(_inline(text, pre))

    def _image(self, el: etree._Element) -> None:
        alt = clean_space(el.get("alt") or "")
        src = el.get("src") or ""
        self.buf.append(f"\n[image: {alt or src}]\n")


def _is_pre(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.tag == "pre" or "white-space:pre" in style


_BREAK = "\x00"  # a source line break inside inline text, resolved after joining


def _inline(text: str, pre: bool) -> str:
    """Collapse source white space as a browser would; NBSP is kept as a real space."""
    if pre:
        return text.replace("\t", " ").replace("\r", "").replace("\u00a0", " ")
    text = re.sub(r"[ \t\r\f]*\n[ \t\r\n\f]*", _BREAK, text)
    text = re.sub(r"[ \t\r\f]+", " ", text)
    return text.replace("\u00a0", " ")


_CJK_SEG_RE = re.compile(rf"(?<=[{_CJK}])[ {_BREAK}]*{_BREAK}[ {_BREAK}]*(?=[{_CJK}])")


def _join_breaks(text: str) -> str:
    # CSS segment-break rule: a source newline between two CJK characters vanishes.
    text = _CJK_SEG_RE.sub("", text)
    return text.replace(_BREAK, " ")


def _is_layout_table(el: etree._Element) -> bool:
    """A table whose cells hold other tables only frames the page: walk into it."""
    return any(True for _ in el.iterdescendants("table"))


def _own_rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("tbody", "thead", "tfoot"):
            yield from (r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")


def _span(el: etree._Element, attr: str) -> int:
    raw = re.sub(r"\D", "", el.get(attr) or "")
    return int(raw) if raw else 1


def _cell_content(td: etree._Element) -> str:
    w = _Walker()
    if td.text:
        w._text(td.text, _is_pre(td), td)
    for child in td:
        w.walk(child, _is_pre(td))
    return cell_text(_join_breaks("".join(w.buf)))


def _table_from(el: etree._Element, index: int) -> Table:
    rows: list[list[SpanCell]] = []
    for tr in _own_rows(el):
        if _is_hidden(tr):
            continue
        cells = [
            SpanCell(_cell_content(td), _span(td, "rowspan"), _span(td, "colspan"))
            for td in tr
            if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
        ]
        rows.append(cells)
    return expand_spans(rows, index)


# ---------------------------------------------------------------------------


def read_html(data: bytes, path: str) -> Document:
    """Read an HTML page (portal article or saved Word HTML) into a Document."""
    doc = Document(path=path, format="html")
    if not data.strip():
        raise ReadError(f"{path}: empty HTML file")
    # lxml refuses str input that still carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", _decode(data, doc))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"{path}: not parseable as HTML ({exc})") from exc
    body = _find_body(root, doc)
    _collect_meta(root, body, doc)
    walker = _Walker()
    walker.walk(body)
    walker.flush()
    doc.blocks = walker.blocks
    if not doc.tables:
        doc.notes.append("no <table> in the report body; tables may be images or text")
    if any(isinstance(b, TextBlock) and "[image:" in b.text for b in doc.blocks):
        doc.notes.append("the body embeds images ([image: …]); tables may be images")
    return doc
