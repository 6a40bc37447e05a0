"""Plain text and markdown dumps made by other tools."""

from __future__ import annotations

from pipeline.model import Document, DocumentFormat, TextBlock
from pipeline.textutil import decode_bytes


def read_text(data: bytes, path: str, fmt: DocumentFormat = "txt") -> Document:
    text = decode_bytes(data)
    doc = Document(path=path, format=fmt, blocks=[TextBlock(text=text, line=1)])
    if "[image:" in text:
        doc.notes.append("the text marks embedded images ([image: …]); tables may be images")
    return doc
