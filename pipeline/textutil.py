"""Small text helpers shared by readers and parsers."""

from __future__ import annotations

import re
import unicodedata

from charset_normalizer import from_bytes

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text bytes: BOM, then the declared charset, then UTF-8, then detection.

    GB2312 and GBK declarations are read as GB18030, their superset, because real pages
    that declare GB2312 routinely contain characters outside it.
    """
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    candidates: list[str] = []
    if declared:
        enc = declared.strip().lower()
        candidates.append("gb18030" if enc in ("gb2312", "gbk", "gb18030", "x-gbk") else enc)
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def nfkc(text: str) -> str:
    """NFKC-normalise: full-width digits, letters and punctuation become ASCII."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Normalise and drop all white space (NBSP, ideographic space, zero-width too)."""
    return _SPACE_RE.sub("", nfkc(text))


def clean_space(text: str) -> str:
    """Collapse every run of white space (of any kind) to one ASCII space."""
    return _SPACE_RE.sub(" ", text).strip()
