"""Content types from the bytes, not from the server's word.

Portals serve PDFs as text/html, DOCX as application/octet-stream and error pages as
application/pdf; the archive extension and the document kind are taken from magic
numbers. Only formats the pipeline can read are told apart.
"""

from __future__ import annotations

import io
import re
import zipfile

_HTML_RE = re.compile(
    # The WHATWG sniffing tags, plus fragments portals serve bare (a list of links).
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|table|script|"
    rb"style|iframe|font|br|p|a|ul|li|span|h[1-6])[\s>/]",
    re.I | re.S,
)

EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.ms-works": ".wps",
    "application/zip": ".zip",
    "application/x-ole-storage": ".bin",
    "application/ofd": ".ofd",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/webp": ".webp",
    "text/html": ".html",
    "text/xml": ".xml",
    "text/plain": ".txt",
    "application/octet-stream": ".bin",
}


def sniff(data: bytes, name_hint: str = "") -> str:
    """The MIME type the bytes really are. `name_hint` only separates look-alikes
    (an OLE container is .doc or .wps; a zip is .docx or .ofd) — never overrides magic."""
    head = data[:16]
    hint = name_hint.lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Word 97-2003 and Kingsoft WPS share the OLE container.
        if hint.endswith(".wps"):
            return "application/vnd.ms-works"
        if hint.endswith((".doc", ".dot")) or b"W\x00o\x00r\x00d\x00D\x00o\x00c" in data[:65536]:
            return "application/msword"
        return "application/x-ole-storage"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    sample = data[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_RE.match(sample):
        return "text/html"
    if sample.lstrip().startswith(b"<?xml"):
        return "text/html" if b"<html" in data[:4096].lower() else "text/xml"
    if sample and b"\x00" not in sample:
        return "text/plain"
    return "application/octet-stream"


def _sniff_zip(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return "application/zip"
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "OFD.xml" in names:
        return "application/ofd"
    return "application/zip"


def extension(content_type: str) -> str:
    return EXTENSIONS.get(content_type, ".bin")


def is_html(content_type: str | None) -> bool:
    return content_type == "text/html"
