"""Readers: one file in, one `Document` out. The format is sniffed from the bytes."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Document, DocumentFormat

__all__ = ["ReadError", "read_document", "sniff_format"]


class ReadError(Exception):
    """The file could not be read as a report (corrupt, encrypted, unsupported type)."""


def sniff_format(data: bytes, name: str = "") -> DocumentFormat:
    """Decide the format from magic bytes first, the file name only as a tie-breaker."""
    head = data[:2048].lstrip()
    lower = name.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if (
        head[:8] == b"\x89PNG\r\n\x1a\n"
        or head[:3] == b"\xff\xd8\xff"
        or head[:4]
        in (
            b"GIF8",
            b"II*\x00",
            b"MM\x00*",
        )
        or head[:2] == b"BM"
        and lower.endswith(".bmp")
    ):
        return "image"
    probe = head[:2048].lower()
    if b"<html" in probe or b"<!doctype html" in probe or b"<table" in probe or b"<body" in probe:
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "md"
    return "txt"


def read_document(path: str | Path) -> Document:
    """Read one report file into a Document, whatever its format."""
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise ReadError("empty file")
    fmt = sniff_format(data, path.name)
    if fmt in ("txt", "md"):
        from pipeline.readers.text import read_text

        return read_text(data, str(path), fmt)
    if fmt == "html":
        from pipeline.readers.html import read_html

        return read_html(data, str(path))
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        return read_pdf(data, str(path))
    if fmt in ("docx", "doc"):
        # Legacy .doc/.wps (OLE) is converted with LibreOffice when it is installed.
        from pipeline.readers.docx import read_docx

        return read_docx(data, str(path))
    if fmt == "image":
        from pipeline.readers.image import read_image

        return read_image(data, str(path))
    raise ReadError(f"unsupported file type {fmt!r}")
