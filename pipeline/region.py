"""Resolve a report to the administrative division it belongs to, with official codes.

The gazetteer is bundled (pipeline/data/gazetteer.tsv.gz, see GAZETTEER.md): province →
city → county → township/street with 12-digit codes. Resolution is explainable: every
result names the rule that matched, and two equally good candidates give a null result
with a reason instead of a guess.

Rules, in order:
1. special zones (pipeline/data/special_zones.tsv): units that are not divisions
   (平潭综合实验区, 青岛西海岸新区) mapped to the county they coincide with;
2. division names in the agency string (full names, or short names such as 威海 / 文登),
   chained so that each later name lies inside the earlier ones, inside the hint region;
3. development zones (文登经济开发区): the place name before the zone suffix gives the
   county the zone sits in;
4. the same on the report's title and address lines when the agency names no division;
5. the hint alone (a crawl source or inbox folder region).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.textutil import squash

DATA = Path(__file__).parent / "data"
LEVELS = ("province", "city", "county", "township")

# Suffixes stripped to get short names: longest first so 自治县 wins over 县.
_SHORT_SUFFIXES = {
    "province": ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "市", "盟"),
    "county": ("自治县", "自治旗", "林区", "特区", "新区", "区", "县", "市", "旗"),
}
_ZONE_RE = re.compile(
    r"(经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|高新区|开发区|"
    r"工业园区|产业园区|产业集聚区|保税区|综合保税区|度假区|示范区|实验区|园区|新区)"
)


@dataclass(frozen=True, slots=True)
class Node:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    county_code: str
    county_name: str | None  # name to report instead of the county's own, if any
    city_name: str | None  # "" = the zone has no city level (province-administered)
    note: str


class Gazetteer:
    """In-memory index of the bundled division table."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.nodes: dict[str, Node] = {}
        self.full: dict[str, list[str]] = {}
        self.short: dict[str, list[str]] = {}
        for code, name, level, parent in rows:
            self.nodes[code] = Node(code, name, level, parent or None)
            self.full.setdefault(name, []).append(code)
        for node in self.nodes.values():
            short = _short_name(node.name, node.level)
            if short and short != node.name:
                self.short.setdefault(short, []).append(node.code)
        self.max_len = max(len(n) for n in self.full)

    def ancestors(self, code: str) -> list[Node]:
        """The node and all its ancestors, province first."""
        chain: list[Node] = []
        node = self.nodes.get(code)
        while node is not None:
            chain.append(node)
            node = self.nodes.get(node.parent) if node.parent else None
        return chain[::-1]

    def is_within(self, code: str, ancestor: str) -> bool:
        return any(n.code == ancestor for n in self.ancestors(code))


def _short_name(name: str, level: str) -> str | None:
    for suffix in _SHORT_SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    with gzip.open(DATA / "gazetteer.tsv.gz", "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[1:]
    rows = [tuple(line.split("\t")) for line in lines if line]
    return Gazetteer(rows)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def special_zones() -> list[Zone]:
    zones: list[Zone] = []
    path = DATA / "special_zones.tsv"
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        name, code, county, city, note = (line.split("\t") + [""] * 5)[:5]
        zones.append(Zone(name, code, county or None, None if city == "-" else city, note))
    return zones


# ---------------------------------------------------------------------------
# Mentions: division names found in a string
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Mention:
    start: int
    text: str
    codes: list[str]
    kind: str  # "full" | "short" | "zone" | "devzone"
    zone: Zone | None = None


def _mentions(s: str, gz: Gazetteer) -> list[Mention]:
    """Greedy longest-first, non-overlapping matches of division and zone names."""
    out: list[Mention] = []
    taken = [False] * len(s)
    for zone in special_zones():
        i = s.find(zone.name)
        if i >= 0:
            out.append(Mention(i, zone.name, [zone.county_code], "zone", zone))
            for k in range(i, i + len(zone.name)):
                taken[k] = True
    i = 0
    while i < len(s):
        if taken[i]:
            i += 1
            continue
        found = None
        for n in range(min(gz.max_len, len(s) - i), 1, -1):
            piece = s[i : i + n]
            if any(taken[i : i + n]):
                continue
            if piece in gz.full:
                found = Mention(i, piece, list(gz.full[piece]), "full")
                break
            if piece in gz.short and _short_ok(s, i + n):
                found = Mention(i, piece, list(gz.short[piece]), "short")
                break
        if found:
            out.append(found)
            i += len(found.text)
        else:
            i += 1
    out.sort(key=lambda m: m.start)
    return out


def _short_ok(s: str, end: int) -> bool:
    """A short name (威海, 文登) counts only before an organ, zone or division word."""
    rest = s[end : end + 8]
    return bool(
        re.match(
            r"(经济|高新|开发|工业|产业|综合|新区|保税|人民|政府|县|区|市|镇|乡|街道|管委|党|"
            r"发展|财政|教育|公安|民政|交通|水利|农业|商务|卫生|审计|统计|应急|司法|生态|自然|"
            r"住房|文化|科技|工业|市场|医疗|退役|人力|税务|$)",
            rest,
        )
    )


def _zone_stem(s: str, gz: Gazetteer) -> Mention | None:
    """文登经济开发区 → the county 文登区: place name immediately before a zone suffix."""
    for m in _ZONE_RE.finditer(s):
        stem = s[: m.start()]
        for n in range(min(len(stem), gz.max_len), 1, -1):
            piece = stem[-n:]
            codes = gz.full.get(piece) or gz.short.get(piece)
            if codes:
                return Mention(m.start() - n, piece + m.group(1), list(codes), "devzone")
    return None


# ---------------------------------------------------------------------------
# Chains: the mentions that nest inside each other
# ---------------------------------------------------------------------------


def _chains(mentions: list[Mention], gz: Gazetteer, within: str | None) -> dict[str, tuple]:
    """Best chain score ending at each candidate code.

    Score = (number of nested mentions, number of full-name mentions, depth). A chain
    step requires the later code to lie strictly inside the earlier one.
    """
    best: dict[str, tuple] = {}
    history: list[tuple[str, tuple]] = []
    for m in mentions:
        for code in m.codes:
            if within and not (gz.is_within(code, within) or gz.is_within(within, code)):
                continue
            base = (1, int(m.kind != "short"), 0)
            for prev_code, prev_score in history:
                if prev_code != code and gz.is_within(code, prev_code):
                    cand = (prev_score[0] + 1, prev_score[1] + int(m.kind != "short"), 0)
                    base = max(base, cand)
            depth = len(gz.ancestors(code))
            score = (base[0], base[1], depth)
            if score > best.get(code, (0, 0, 0)):
                best[code] = score
        history = list(best.items())
    return best


def _pick(best: dict[str, tuple], gz: Gazetteer) -> list[str]:
    """Codes of the best chains. Depth only decides inside one chain (county vs its
    township), never between two places: 大场镇 in 宝山区 and in 黄岛区 stay a tie."""
    if not best:
        return []
    top = max(s[:2] for s in best.values())
    codes = [c for c, s in best.items() if s[:2] == top]
    return sorted(c for c in codes if not any(o != c and gz.is_within(o, c) for o in codes))


def _parse_hint(hint: str | None, gz: Gazetteer) -> str | None:
    if not hint:
        return None
    h = squash(hint)
    if h.isdigit():
        code = (h + "0" * 12)[:12]
        return code if code in gz.nodes else None
    codes = _pick(_chains(_mentions(h, gz), gz, None), gz)
    return codes[0] if len(codes) == 1 else None


def _text_support(code: str, text: str, gz: Gazetteer) -> int:
    """How many of a candidate's ancestors the text names (to break ties)."""
    score = 0
    for node in gz.ancestors(code)[:-1]:
        short = _short_name(node.name, node.level)
        if node.name in text or (short and short in text):
            score += 1
    return score


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _empty(rule: str | None = None, reason: str | None = None) -> dict:
    return {
        "province": None,
        "city": None,
        "county": None,
        "township": None,
        "code": None,
        "level": None,
        "rule": rule,
        "reason": reason,
        "note": None,
        "candidates": [],
    }


def _result(code: str, rule: str, zone: Zone | None = None, note: str | None = None) -> dict:
    gz = gazetteer()
    out = _empty(rule)
    for node in gz.ancestors(code):
        out[node.level] = node.name
        out["level"] = node.level
    out["code"] = code
    if zone is not None:
        if zone.county_name:
            out["county"] = zone.county_name
        if zone.city_name == "":
            out["city"] = None
        note = zone.note
    out["note"] = note
    return out


def resolve_region(agency: str | None, text: str = "", hint: str | None = None) -> dict:
    """Resolve a report to province/city/county/township with the official code.

    Returns province, city, county, township, code, level, rule, reason, note and
    candidates. Never raises: odd input gives nulls and a reason.
    """
    try:
        return _resolve(agency or "", text or "", hint)
    except Exception as exc:  # noqa: BLE001 - contract: never raise on odd input
        return _empty(reason=f"internal error: {exc!r}")


def _resolve(agency: str, text: str, hint: str | None) -> dict:
    gz = gazetteer()
    within = _parse_hint(hint, gz)
    hint_note = f"hint {hint!r} not found in the gazetteer" if hint and within is None else None
    sources = [("agency", squash(agency))]
    head = squash(_head_lines(text))
    if head:
        sources.append(("title/address lines", head))
    for label, s in sources:
        if not s:
            continue
        res = _resolve_string(s, label, gz, within, text)
        if res is not None:
            if hint_note:
                res["note"] = "; ".join(x for x in (res["note"], hint_note) if x)
            return res
    if within:
        return _result(within, "source hint only (no division named in agency or title)")
    return _empty(reason=hint_note or "no administrative division named in agency or title")


def _resolve_string(s: str, label: str, gz: Gazetteer, within: str | None, text: str):
    mentions = _mentions(s, gz)
    dev = _zone_stem(s, gz)
    zone = next((m.zone for m in mentions if m.kind == "zone"), None)
    if dev and not zone:
        # The zone's own stem replaces a plain mention of the same place.
        mentions = [m for m in mentions if not (dev.start <= m.start < dev.start + len(dev.text))]
        mentions.append(dev)
        mentions.sort(key=lambda m: m.start)
    if not mentions:
        return None
    best = _chains(mentions, gz, within)
    codes = _pick(best, gz)
    if not codes:
        return None
    if len(codes) > 1:
        support = {c: _text_support(c, text, gz) for c in codes}
        top = max(support.values())
        winners = [c for c in codes if support[c] == top]
        if len(winners) != 1:
            res = _empty(
                rule=f"{label}: division names",
                reason="ambiguous: "
                + "; ".join("".join(n.name for n in gz.ancestors(c)) for c in codes[:6]),
            )
            res["candidates"] = codes[:20]
            return res
        codes = winners
        rule_extra = " (tie broken by ancestor names in the text)"
    else:
        rule_extra = ""
    code = codes[0]
    used = [
        m.text for m in mentions if code in m.codes or any(gz.is_within(code, c) for c in m.codes)
    ]
    hint_txt = " within hint region" if within else ""
    if len(used) == 1 and not within and len(mentions[-1].codes) == 1:
        hint_txt = " (the only division of that name in the gazetteer)"
    rule = f"{label}: {'+'.join(used)}{hint_txt}{rule_extra}"
    last = [m for m in mentions if code in m.codes]
    if zone and any(m.kind == "zone" for m in last):
        return _result(code, rule.replace(label, f"{label}: special zone", 1), zone)
    note = None
    if any(m.kind == "devzone" for m in last):
        note = "development zone mapped to the county it sits in"
    return _result(code, rule, note=note)


def _head_lines(text: str) -> str:
    """Title lines and the contact address: where a report names its own place."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:6]
    addr = re.findall(r"地址[:：]\s*([^，,；;。）)]{2,40})", text[:3000])
    return "\n".join(lines[:3] + addr[:2])


def region_hierarchy(code: str | None) -> list[dict]:
    """dim_region rows for the code and each ancestor, province first.

    Each row: code, name, level, parent_code, province, city, county, township.
    """
    if not code:
        return []
    try:
        gz = gazetteer()
        chain = gz.ancestors(code)
    except Exception:  # noqa: BLE001
        return []
    rows: list[dict] = []
    names: dict[str, str | None] = dict.fromkeys(LEVELS)
    for node in chain:
        names[node.level] = node.name
        rows.append(
            {
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "parent_code": node.parent,
                **{lvl: names[lvl] for lvl in LEVELS},
            }
        )
    return rows
