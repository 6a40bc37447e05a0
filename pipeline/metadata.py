"""Report metadata from the text: issuing agency, reporting year, publication date, scope.

Sources, strongest first:
- agency: the signature block (an organ name followed by a date at the end), when it
  extends the title's name (文登经济开发区 → 文登经济开发区管理委员会); else the title line
  (the words before "YYYY年…政府信息公开…年度报告"); else portal meta (发布机构, ArticleTitle).
- year: the statistics period (统计期限自2023年1月1日), else the title's year, else the
  year before the publication date. Never a stray year elsewhere in the text.
- published: the signature date, else the portal date (PubDate, 发布时间, 公开日期, 时间：).
- scope: 全辖区 when the report aggregates subordinate units, 本级政府 / 本机关 when it says so.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.textutil import clean_space, nfkc

_YEAR = r"((?:19|20)\d{2})\s*年"
_TITLE_RE = re.compile(
    r"^(?P<pre>.*?)\s*(?:[（(]?\s*" + _YEAR + r"\s*(?:度)?\s*[）)]?)\s*(?:度)?\s*"
    r"(?P<post>[^\d]{0,30}?)政\s*府\s*信\s*息\s*公\s*开"
)
_ORGAN_END = re.compile(
    r"(人民政府|政府办公室|办公厅|办公室|委员会|管委会|管理委员会|局|厅|委|办|中心|院|处|所|"
    r"街道办事处|办事处|镇|乡|街道|实验区|开发区|新区|园区|集团|公司|会|站|队|署|部)$"
)
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
# Characters OCR confuses in place names (沭阳 read as 沐阳): tried only when the agency
# names no known division, and kept only if exactly one variant is a real division.
_OCR_CONFUSABLE = {
    "沐": "沭", "沭": "沐", "毫": "亳", "亳": "毫", "荏": "茌", "茌": "荏", "未": "末",
    "末": "未", "己": "已", "已": "己", "土": "士", "士": "土", "汝": "汶", "汶": "汝",
    "泌": "沁", "沁": "泌", "洛": "络", "兖": "衮", "衮": "兖", "睢": "雎", "雎": "睢",
}  # fmt: skip
_NOISE_RE = re.compile(r"\[(?:bookmark|image)[^\]]*\]|^#+\s*|[*_`]+")


def _lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = clean_space(_NOISE_RE.sub("", nfkc(raw)))
        if line:
            out.append(line)
    return out


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _clean_agency(name: str) -> str | None:
    name = re.sub(r"\s+", "", name).strip('：:，,。·-—_|()（）[]【】"“”')
    name = re.sub(r"^(关于|标题[:：]?|正文)", "", name)
    if not (2 <= len(name) <= 40) or re.search(r"[，。；、]|\d", name):
        return None
    return name


def _title_agency(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(agency, year, line) from the first title-like line."""
    for i, line in enumerate(lines[:60]):
        flat = line.replace(" ", "")
        if "报告" not in flat and i + 1 < len(lines) and "政府信息公开" in flat:
            # Title wrapped over two lines ("…政府信息公开工作" / "年度报告").
            flat += lines[i + 1].replace(" ", "")
        if "年度报告" not in flat and "年报" not in flat and "工作报告" not in flat:
            continue
        if len(flat) > 80:
            # Crawled text puts the title and body on one line: cut at the title.
            flat = flat[: flat.find("报告") + 2]
        m = _TITLE_RE.match(flat)
        if not m:
            continue
        year = int(m.group(2))
        pre = _clean_agency(m.group("pre")) if m.group("pre") else None
        if pre is None and i > 0 and not re.search(r"\d", lines[i - 1]):
            # Title split over two lines: agency alone on the line before.
            prev = _clean_agency(lines[i - 1])
            if prev and _ORGAN_END.search(prev):
                pre = prev
        if pre is None:
            post = m.group("post")
            post = _clean_agency(post) if post else None
            pre = post
        return pre, year, line
    return None, None, None


def _signature(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """(agency, ISO date, evidence) from an organ name followed by a date near the end."""
    tail = lines[-25:]
    for k in range(len(tail) - 1, 0, -1):
        dm = re.fullmatch(r"[（(]?\s*" + _DATE_RE.pattern + r"\s*[）)]?", tail[k].replace(" ", ""))
        if not dm:
            continue
        cand = _clean_agency(tail[k - 1])
        if cand and _ORGAN_END.search(cand):
            return cand, _iso(dm.group(1), dm.group(2), dm.group(3)), f"{tail[k - 1]} / {tail[k]}"
    # Also a head signature right under the title ("沐阳县人民政府 / (2026年1月23日)").
    for k in range(1, min(len(lines), 6)):
        dm = re.fullmatch(r"[（(]\s*" + _DATE_RE.pattern + r"\s*[）)]", lines[k].replace(" ", ""))
        if dm:
            cand = _clean_agency(lines[k - 1])
            if cand and _ORGAN_END.search(cand):
                return cand, _iso(dm.group(1), dm.group(2), dm.group(3)), lines[k]
    return None, None, None


def _stat_year(text: str) -> tuple[int | None, str | None]:
    m = re.search(
        r"统计(?:期限|时限|周期|时间|区间|范围)[^。\n]{0,12}?"
        + r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日",
        text,
    )
    if m:
        return int(m.group(1)), m.group(0)
    return None, None


def _portal_date(text: str, meta: dict[str, str]) -> tuple[str | None, str | None]:
    for key in ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "发布时间", "公开日期"):
        val = meta.get(key)
        if val:
            dm = _DATE_RE.search(nfkc(val))
            if dm:
                return _iso(*dm.groups()), f"meta {key}={val}"
    m = re.search(
        r"(发布时间|发布日期|公开日期|成文日期|时间)\s*[:：]\s*" + _DATE_RE.pattern, text[:20000]
    )
    if m:
        return _iso(m.group(2), m.group(3), m.group(4)), m.group(0)
    # Last resort: the PDF's creation date ("D:20240226144123+06'41'").
    pdf = re.match(r"D:(\d{4})(\d{2})(\d{2})", meta.get("CreationDate", ""))
    if pdf:
        return _iso(*pdf.groups()), f"PDF CreationDate {meta['CreationDate']}"
    return None, None


def _meta_agency(meta: dict[str, str]) -> tuple[str | None, str | None]:
    for key in ("发布机构", "ContentSource", "Author"):
        val = _clean_agency(meta.get(key, "") or "")
        if val:
            return val, f"meta {key}"
    return None, None


def _scope(text: str, agency: str | None) -> tuple[str | None, str | None]:
    m = re.search(
        r"(汇总[^。]{0,30}(?:各有关单位|各部门|各单位|各级)|全(?:区|市|县|省)各级(?:行政机关|政府)|"
        r"本级政府|本机关(?!不掌握)|本部门(?!不掌握))",
        text,
    )
    if not m:
        return None, None
    word = m.group(0)
    if word.startswith("汇总") or "各级" in word:
        return "全辖区", word
    if word == "本级政府":
        return "本级政府", word
    return "本机关", word


def _repair_place(agency: str) -> str | None:
    """A one-character OCR repair of the agency's place name, if unambiguous."""
    from pipeline.region import resolve_region

    found = resolve_region(agency)
    # Only when no division is named at all: an ambiguous name is not a misreading.
    if found["code"] or found["candidates"] or not any(ch in _OCR_CONFUSABLE for ch in agency):
        return None
    hits = set()
    for i, ch in enumerate(agency[:12]):
        if ch in _OCR_CONFUSABLE:
            variant = agency[:i] + _OCR_CONFUSABLE[ch] + agency[i + 1 :]
            if resolve_region(variant)["code"]:
                hits.add(variant)
    return hits.pop() if len(hits) == 1 else None


def extract_metadata(text: str, meta: dict[str, str] | None = None) -> dict:
    """Agency (as written), reporting year, publication date and scope, with evidence."""
    try:
        return _extract(text or "", meta or {})
    except Exception as exc:  # noqa: BLE001 - contract: never raise on odd input
        return {
            "agency": None,
            "year": None,
            "published": None,
            "scope": None,
            "evidence": {"error": repr(exc)},
        }


def _extract(text: str, meta: dict[str, str]) -> dict:
    lines = _lines(text)
    norm = nfkc(text)
    evidence: dict[str, str] = {}

    # Prefer the portal's article title for the title line when there is one.
    title_lines = lines
    for key in ("ArticleTitle", "title", "Title"):
        if meta.get(key):
            title_lines = [clean_space(nfkc(meta[key]).split("_")[0])] + lines
            break
    t_agency, t_year, t_line = _title_agency(title_lines)
    if t_agency is None and title_lines is not lines:
        t_agency, t_year2, t_line = _title_agency(lines)
        t_year = t_year or t_year2
    s_agency, s_date, s_ev = _signature(lines)

    agency = None
    if s_agency and (not t_agency or t_agency in s_agency):
        agency, evidence["agency"] = s_agency, f"signature: {s_ev}"
    elif t_agency:
        agency, evidence["agency"] = t_agency, f"title: {t_line}"
    else:
        agency, ev = _meta_agency(meta)
        if agency:
            evidence["agency"] = ev or ""

    if agency:
        repaired = _repair_place(agency)
        if repaired:
            evidence["agency_repair"] = f"OCR misread {agency!r} → {repaired!r} (gazetteer)"
            agency = repaired

    published, ev = (s_date, f"signature: {s_ev}") if s_date else _portal_date(norm, meta)
    if published:
        evidence["published"] = ev or ""

    year, ev = _stat_year(norm)
    if year:
        evidence["year"] = f"statistics period: {ev}"
    elif t_year:
        year = t_year
        evidence["year"] = f"title: {t_line}"
    elif published:
        year = int(published[:4]) - 1
        evidence["year"] = "publication year minus one"

    scope, ev = _scope(norm, agency)
    if scope:
        evidence["scope"] = ev or ""
    return {
        "agency": agency,
        "year": year,
        "published": published,
        "scope": scope,
        "evidence": evidence,
    }
