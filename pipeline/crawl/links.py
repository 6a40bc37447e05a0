"""Links out of a portal page, and what they point to.

Portal templates hide links in places a plain `<a href>` scan misses: Hanweb column
pages carry their records as HTML inside `<script type="text/xml">` CDATA, and TRS
pages build their pagination in JavaScript (`createPageHTML(5, 0, "index", "html")`).
Both are read here so that `follow` regexes can be written against real URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from pipeline.textutil import decode_bytes, squash

ATTACHMENT_EXTS = (
    ".pdf", ".doc", ".docx", ".wps", ".ofd",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff",
)  # fmt: skip
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
# Template images (logos, buttons, icons) are not report content.
_TEMPLATE_IMG_RE = re.compile(
    r"(logo|icon|btn|button|banner|bg[_./-]|/images?/|/img/|/style/|/css/|/common/|/template|"
    r"/skin/|/theme|qrcode|ewm|erweima|weixin|wechat|/jact/|/module/)",
    re.I,
)
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_TRS_PAGER_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_JS_VAR_RE = re.compile(r"\bvar\s+(\w+)\s*=\s*['\"]?(\d+)['\"]?")
_SCRIPT_HREF_RE = re.compile(r"""(?:href|src)\s*=\s*["']([^"'<>\s]+)["']""", re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str  # anchor text plus title attribute, white space removed
    tag: str  # "a", "img", "iframe", "script" (found in script text), "pager"


def declared_charset(content_type: str | None, body: bytes) -> str | None:
    """The charset the server or the page declares (HTTP header first, then <meta>)."""
    if content_type and (m := _HEADER_CHARSET_RE.search(content_type)):
        return m.group(1)
    if m := _CHARSET_RE.search(body[:4096]):
        return m.group(1).decode("ascii")
    return None


def decode_page(body: bytes, content_type: str | None) -> str:
    """Page text, whatever the page claims.

    Bytes that are valid UTF-8 and not plain ASCII are read as UTF-8 even under a GBK
    declaration: GBK text is practically never valid UTF-8, while a GBK decoder turns
    UTF-8 into plausible-looking mojibake instead of failing. Otherwise the declared
    charset, then detection (pipeline.textutil.decode_bytes).
    """
    if not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return decode_bytes(body, declared_charset(content_type, body))


def _clean_url(raw: str, base: str) -> str | None:
    raw = raw.strip().replace("\\", "/")
    if not raw or raw.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urldefrag(urljoin(base, raw))[0]
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def extract_links(html: str, base_url: str) -> list[Link]:
    """Every followable link of a page, in document order, without duplicates."""
    found: dict[str, Link] = {}

    def add(raw: str | None, text: str, tag: str, base: str) -> None:
        if raw and (url := _clean_url(raw, base)) and url not in found:
            found[url] = Link(url=url, text=squash(text), tag=tag)

    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(base_url, b.get("href"))
            break
    for el in root.iter("a", "area", "img", "iframe", "frame", "script"):
        if el.tag in ("a", "area"):
            add(el.get("href"), (el.text_content() or "") + (el.get("title") or ""), "a", base)
        elif el.tag == "img":
            add(el.get("src"), el.get("alt") or "", "img", base)
        elif el.tag in ("iframe", "frame"):
            add(el.get("src"), "", "iframe", base)
        elif el.tag == "script":
            _script_links(el.text or "", base, add)
    return list(found.values())


def _script_links(script: str, base: str, add) -> None:
    # Hanweb: records as HTML in CDATA; read them as a fragment to keep anchor texts.
    if "<a" in script or "<A" in script:
        fragment = re.sub(r"<!\[CDATA\[|\]\]>", "", script)
        try:
            for el in lxml.html.fragments_fromstring(fragment):
                if isinstance(el, str):
                    continue
                for a in el.iter("a"):
                    add(a.get("href"), (a.text_content() or "") + (a.get("title") or ""), "a", base)
        except (etree.ParserError, ValueError):
            pass
        for m in _SCRIPT_HREF_RE.finditer(fragment):
            add(m.group(1), "", "script", base)
    # TRS: createPageHTML(pages, current, "index", "html") -> index.html, index_1.html …
    # The page count is a literal or a variable set earlier (var countPage = 5).
    js_vars = dict(_JS_VAR_RE.findall(script))
    for m in _TRS_PAGER_RE.finditer(script):
        count = m.group(1) if m.group(1).isdigit() else js_vars.get(m.group(1), "1")
        pages, stem, ext = int(count), m.group(3), m.group(4)
        for i in range(min(pages, 1000)):
            add(f"{stem}.{ext}" if i == 0 else f"{stem}_{i}.{ext}", "", "pager", base)


def file_name_of(url: str) -> str:
    """The file name a URL names: the path's last segment, or a `filename=` query value
    (Hanweb's downfile.jsp?filename=… and similar download scripts)."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("filename", "file", "fname", "name") and "." in value:
            return value.rsplit("/", 1)[-1]
    return unquote(parts.path.rsplit("/", 1)[-1])


def attachment_ext(url: str) -> str | None:
    """The attachment extension a URL names, if it names one the pipeline reads."""
    name = file_name_of(url).lower()
    for ext in ATTACHMENT_EXTS:
        if name.endswith(ext):
            return ext
    return None


def is_content_image(link: Link) -> bool:
    """An `<img>` of a report page that is likely part of the report (图片版), not chrome."""
    return attachment_ext(link.url) in IMAGE_EXTS and not _TEMPLATE_IMG_RE.search(link.url)


_REPORT_WORDS = ("年报", "年度报告", "年度工作报告", "年度报")


def looks_like_report(text: str) -> bool:
    """Link text of an annual OGI report: 年报 / 年度报告 together with 信息公开.

    List pages truncate long titles ("…政府信息公开工作年度报…"), so the stem 年度报
    counts too; the title attribute, when present, is part of `text`.
    """
    return "信息公开" in text and any(w in text for w in _REPORT_WORDS)
