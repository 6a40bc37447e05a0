"""Cell values: a printed number, a printed null, or text.

SPEC: a cell holds an integer (or a decimal for 万元), or null when printed blank, "/",
"—" or "无". Null is not zero. Full-width digits, thousands separators and spaces inside
numbers occur; so do annotations such as "22（其中修订16件）".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.textutil import nfkc, squash

Number = int | float

# Printed "no value" markers, compared after white space is removed and NFKC applied.
NULL_MARKERS = frozenset(
    {"", "/", "\\", "—", "——", "–", "-", "--", "―", "─", "无", "空", "/ ", "——/", "—/", "*", "×"}
)

# A number, optionally followed by a unit and/or a parenthesised annotation.
_NUMBER_RE = re.compile(
    r"""^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)
        (?P<unit>件|条|个|项|篇|次|万元|元|%)?
        (?P<note>[(\[（【].*[)\]）】])?$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class CellValue:
    kind: Literal["number", "null", "text"]
    value: Number | None
    raw: str
    unit: str | None = None
    note: str | None = None


def _prepare(raw: str) -> str:
    text = squash(raw)
    # Word-split negative numbers and dashes look alike after NFKC; "−" is a real minus.
    return text.replace("−", "-").replace("－", "-")


def parse_value(raw: str) -> CellValue:
    """Classify one printed cell; never raises."""
    text = _prepare(raw)
    if text in NULL_MARKERS:
        return CellValue("null", None, raw)
    m = _NUMBER_RE.match(text)
    if not m:
        return CellValue("text", None, raw)
    num = m.group("num").replace(",", "")
    value: Number = float(num) if "." in num else int(num)
    return CellValue("number", value, raw, m.group("unit"), m.group("note"))


def normalise_label(text: str) -> str:
    """A label key for tolerant matching: NFKC, no white space, unified punctuation."""
    text = squash(text)
    text = text.replace("、", ".").replace("．", ".").replace("，", ",")
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return text


def strip_marker(label: str) -> str:
    """Drop leading enumeration markers: "一、", "（三）", "1.", "(七)" …"""
    return re.sub(
        r"^(?:[一二三四五六七八九十]+[.、]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、)）])+",
        "",
        normalise_label(label),
    )


def has_marker(label: str) -> bool:
    text = normalise_label(label)
    return text != strip_marker(text)


__all__ = [
    "CellValue",
    "NULL_MARKERS",
    "Number",
    "has_marker",
    "nfkc",
    "normalise_label",
    "parse_value",
    "strip_marker",
]
