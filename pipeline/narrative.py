"""Facts from the report's prose: per-channel publication counts and section 六.

Channels are read only from the narrative before table 二 (section 一 总体情况, where
the 2019 and 2021 templates put them, including its 平台建设 paragraph). A count is a
channel entry when its own clause names the channel ("通过政府网站主动公开信息66条"),
or the clause/sentence right before it does and carries no count of its own, and a
publication verb governs it. A count with no channel is a total over all channels
(`all`) only if it is the first such statement, speaks of information in general and
says 共/累计/全年. Counts after 其中/包括/从内容分类看 that name no channel are
categories of the entry they follow. Meetings, interpretations, trainings, page views,
accounts and applications are never items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIGITS = str.maketrans("０１２３４５６７８９，", "0123456789,")
_NOISE_RE = re.compile(
    r"\[(?:image|bookmark)[^\]]*\]|<[^>]{0,200}>|^\s*[-—–]\s*\d+\s*[-—–]\s*$", re.M
)
_SPACES_RE = re.compile(r"[\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]")

_START_RE = re.compile(r"[一1][、.．]\s*总体情况")
_END_RE = re.compile(
    r"(?<![、，,])[一二三四五六七八九十2]\s*[、.．]\s*主动公开政府信息情况|第二十条\s*第\s*[（(]\s*一"
)
_SEC6_RE = re.compile(r"[六6]\s*[、.．]\s*其他需要报告的事项|其他需要报告的事项")

_COUNT_RE = re.compile(
    r"(?P<pre>近|约|超过|逾)?(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<wan>万)?\s*(?P<yu1>余)?\s*"
    r"(?P<unit>批次|条|篇|期|件|个|则|幅|份)(?P<yu2>余)?"
)

# Channel words, most specific first (one regex: the first alternative wins at a position).
_CHANNELS: list[tuple[str, str]] = [
    ("weibo+wechat+app", r"两微一端"),
    ("weibo+wechat", r"两微"),
    (
        "all",
        r"各类(?:媒体)?(?:渠道|平台|载体|媒介)|各(?:种|类)(?:公开)?方式|多种(?:渠道|方式|载体)",
    ),
    ("wechat_channels", r"视频号"),
    ("wechat", r"微信公众号|微信公众平台|公众号|政务微信|微信(?![群朋])"),
    ("weibo", r"政务微博|微博"),
    ("douyin", r"抖音号|抖音"),
    ("toutiao", r"今日头条|头条号"),
    ("app", r"客户端|APP|App|移动端"),
    ("gazette", r"政府公报|公报"),
    ("new_media", r"政务新媒体|新媒体|(?:“[^”]{2,20}”、?)+等?品牌栏目"),
    ("bulletin_board", r"公开栏|公示栏|宣传栏|公告栏|电子屏|LED屏|显示屏"),
    (
        "website",
        r"政府门户网站|门户网站|政府网站|政务网站|部门网站|网站|官网|"
        r"政[府务]信息公开(?:平台|专栏|网)|信息公开(?:平台|专栏)|政务公开(?:平台|专栏)",
    ),
]
_CHANNEL_RE = re.compile("|".join(f"(?P<c{i}>{p})" for i, (_, p) in enumerate(_CHANNELS)))
_CLAUSE_SPLIT = re.compile(r"[，,；;：:]")
_PUB_VERB = re.compile(
    r"发布|公开|公布|推送|编发|刊发|刊登|更新|推出|转载|上传|制作|播发|发稿|推文|编印|印发|报送|编辑|出版|发行"
)
_EXCLUDE = re.compile(
    r"浏览|阅读|点击|访问|关注|粉丝|点赞|观看|转发量|评论|留言|申请|咨询|建议|提案|会议|发布会|"
    r"通气会|培训|解读|访谈|活动|直播|问政|开设|关停|注销|账号|征集|调查|回应|答复|受理|办理|"
    r"组织|召开|举办|开展|参加|参与|座谈|开放日|运维|运营|在运|现有|开通|入驻"
)
# A count followed by these counts platforms or columns, not published items.
_PLATFORM_OBJ = re.compile(r"^[^，,；;。]{0,6}(?:平台|账号|渠道|专栏|栏目|网站|公众号|新媒体|语种)")
_SECOND_SUB = re.compile(r"^[（(]\s*二\s*[）)]")
_TOTAL = re.compile(r"共|累计|合计|总计|全年|各类")
_GENERIC_OBJ = re.compile(r"(?:政府|政务|各类|公开)?(?:信息|消息)数?$")
# "主动公开政府信息1523条" is a total even without 共: the object is information in general.
_STRICT_OBJ = re.compile(r"^(?:各类)?(?:政府|政务)?信息数?$|(?:政府|政务)信息数?$")
_CAT_INTRO = re.compile(
    r"^\s*[（(]?\s*(?:其中|包括|从内容(?:分类|类别)?(?:上)?看|按内容分|分别为|分别是|具体为|含)"
)


@dataclass(slots=True)
class _Count:
    start: int
    end: int
    items: int
    unit: str
    approximate: bool
    raw: str


@dataclass(slots=True)
class _Entry:
    channel_key: str
    channel: str
    account_name: str | None
    items: int
    unit: str
    approximate: bool
    quote: str
    categories: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "channel_key": self.channel_key,
            "channel": self.channel,
            "account_name": self.account_name,
            "items": self.items,
            "unit": self.unit,
            "approximate": self.approximate,
            "quote": self.quote,
            "categories": self.categories,
        }


# ---------------------------------------------------------------------------
# Text preparation
# ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = _SPACES_RE.sub(" ", text.translate(_DIGITS))
    return _NOISE_RE.sub("", text)


def _join_wrapped(text: str) -> str:
    """Re-join lines that a PDF or Word export wrapped inside a sentence."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if (
            out
            and not re.search(r"[。！？；：:;!?]$", out[-1])
            and not re.match(r"[（(]?[一二三四五六七八九十]+[、）)]|\d+[、.．]\D", line)
        ):
            out[-1] += line
        else:
            out.append(line)
    text = "\n".join(out)
    # "1136 条" → "1136条": spaces around numbers come from PDF layout.
    return re.sub(r"(?<=[\d余])\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=\d)", "", text)


def narrative_text(text: str) -> str:
    """The prose where channel counts live: section 一 up to table 二."""
    text = _normalise(text)
    start_m = _START_RE.search(text)
    start = start_m.start() if start_m else 0
    end_m = _END_RE.search(text, start_m.end() if start_m else 0)
    end = end_m.start() if end_m else len(text)
    return _join_wrapped(text[start:end])


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?])|\n", text) if s.strip()]


# ---------------------------------------------------------------------------
# Channel extraction
# ---------------------------------------------------------------------------


def _counts(sentence: str) -> list[_Count]:
    out = []
    for m in _COUNT_RE.finditer(sentence):
        if m.start() > 0 and sentence[m.start() - 1] in ".第":
            continue  # decimals and ordinals (第711号) are not counts
        num = float(m.group("num").replace(",", ""))
        if m.group("wan"):
            num *= 10000  # 1.2万条
        elif not num.is_integer():
            continue  # 3.5条 is no item count
        items = int(round(num))
        approx = bool(m.group("pre") or m.group("yu1") or m.group("yu2"))
        out.append(_Count(m.start(), m.end(), items, m.group("unit"), approx, m.group(0)))
    return out


def _channels_in(s: str) -> list[tuple[str, str, int, int]]:
    """(key, matched text, start, end) for every channel word in s."""
    found = []
    for m in _CHANNEL_RE.finditer(s):
        idx = int(m.lastgroup[1:])  # type: ignore[index]
        found.append((_CHANNELS[idx][0], m.group(0), m.start(), m.end()))
    specific = [f for f in found if f[0] != "new_media" or "品牌栏目" not in f[1]]
    if len(specific) < len(found) and any(f[0] not in ("new_media",) for f in specific):
        found = specific  # quoted brand columns only say "new media" when nothing else does
    return found


def _resolve_key(found: list[tuple[str, str, int, int]], s: str) -> tuple[str, str] | None:
    """One channel key for a phrase: single, combined (抖音、视频号) or all (…等方式)."""
    if not found:
        return None
    keys: list[str] = []
    for key, _, _, _ in found:
        for k in key.split("+"):
            if k not in keys:
                keys.append(k)
    label = s[found[0][2] : found[-1][3]]
    if "all" in keys:
        return "all", label
    after = s[found[-1][3] : found[-1][3] + 4]
    if len(keys) > 1 and re.match(r"[^，,。]{0,2}等", after):
        return "all", label + "等"
    return "+".join(keys), label


def _account(s: str, found: list[tuple[str, str, int, int]]) -> str | None:
    """Quoted account names next to a channel word (“耕读大水泊”微信公众号)."""
    best = None
    for m in re.finditer(r"(?:“[^”]{2,30}”、?)+等?", s):
        for _, _, a, b in found:
            if abs(m.end() - a) <= 3 or abs(m.start() - b) <= 3:
                best = m.group(0)
    if best is None:
        return None
    names = re.findall(r"“([^”]+)”", best)
    return names[0] if len(names) == 1 and not best.endswith("等") else best.rstrip("、")


def _names_account(ctx: str) -> bool:
    """Whether ctx names an account or the 两微 platforms (which may carry to the next clause)."""
    found = _channels_in(ctx)
    if any("品牌栏目" in f[1] or f[1].startswith("两微") for f in found):
        return True
    return bool(found) and _account(ctx, found) is not None


def _clause_bounds(sentence: str, pos: int, floor: int) -> int:
    """Start of the clause containing pos, not before floor."""
    cut = floor
    for m in _CLAUSE_SPLIT.finditer(sentence, floor, pos):
        cut = m.end()
    return cut


def _object_after(sentence: str, end: int) -> str:
    m = re.match(r"[^，,；;。：:（(]{0,14}", sentence[end:])
    return m.group(0) if m else ""


def _label(seg: str) -> str:
    seg = re.sub(r"^[\s，,；;：:、（()）]+|[\s，,；;：:、]+$", "", seg)
    seg = _CAT_INTRO.sub("", seg)
    seg = re.sub(r"^[\s，,；;：:、（(]+", "", seg)
    seg = re.sub(r"^(?:发布|公开|公布)", "", seg)
    seg = re.sub(r"(?:发布|公开|公布|共计|共|合计|数)+$", "", seg)
    return seg.strip()


class _State:
    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.has_all = False
        self.cat_target: _Entry | None = None
        self.pending: _Entry | None = None  # entry ending its sentence: breakdown may follow
        self.past_overview = False  # past the first sub-heading after （一）: no totals there


def _process_sentence(sentence: str, prev: str | None, state: _State) -> None:
    counts = _counts(sentence)
    floor = 0
    prev_entry: _Entry | None = None
    if state.cat_target is not None and not _CAT_INTRO.match(sentence):
        state.cat_target = None
    if state.pending is not None and _CAT_INTRO.match(sentence):
        # "…公开信息66条。从内容分类看，公告公示2条…": the breakdown opens the next sentence.
        state.cat_target = state.pending
    state.pending = None
    for c in counts:
        seg_start = _clause_bounds(sentence, c.start, floor)
        pre = sentence[seg_start : c.start]
        seg_all = sentence[floor : c.start]  # since the previous count
        obj = _object_after(sentence, c.end)
        found = _channels_in(pre)
        has_verb = bool(_PUB_VERB.search(pre) or re.search(r"通过|依托|在", pre))
        # Inside a category run, a channel word starts a new entry only with a verb
        # ("…微信公众号发布稿件168条"), not as a label ("政府网站信息185条").
        if state.cat_target is not None and (not found or not _PUB_VERB.search(pre)):
            label = _label(sentence[floor : c.start])
            if label and len(label) <= 40:
                state.cat_target.categories.append({"label": label, "items": c.items})
            floor = c.end
            continue
        state.cat_target = None
        entry = _entry_for(sentence, c, pre, seg_all, obj, found, has_verb, prev, prev_entry, state)
        if entry is not None:
            state.entries.append(entry)
            if entry.channel_key == "all":
                state.has_all = True
            if _CAT_INTRO.match(sentence[c.end : c.end + 12]) or _CAT_INTRO.match(
                sentence[c.end :].lstrip("，,；;：:")
            ):
                state.cat_target = entry
            elif not sentence[c.end :].strip(" ，,；;。.)）"):
                state.pending = entry
        prev_entry = entry
        floor = c.end
    if state.cat_target is not None and not counts:
        state.cat_target = None


def _entry_for(
    sentence: str,
    c: _Count,
    pre: str,
    seg_all: str,
    obj: str,
    found: list,
    has_verb: bool,
    prev: str | None,
    prev_entry: _Entry | None,
    state: _State,
) -> _Entry | None:
    local = pre + c.raw + obj
    if _EXCLUDE.search(local) or _PLATFORM_OBJ.search(obj):
        return None
    context = pre
    if not found:
        # The clause before, when it carries no count of its own ("…等品牌栏目，全年累计公布…").
        head = sentence[: c.start - len(pre)]
        clauses = [x for x in _CLAUSE_SPLIT.split(head) if x.strip()]
        last = clauses[-1] if clauses else ""
        if last and not _counts(last) and _names_account(last):
            found = _channels_in(last)
            context = last
        elif not clauses and prev and not _counts(prev) and _names_account(prev):
            # First clause of its sentence: the sentence before may name the account.
            found = _channels_in(prev)
            context = prev
    enumerated = prev_entry is not None and not _PUB_VERB.search(pre)
    if not (has_verb or enumerated):
        return None
    resolved = _resolve_key(found, context)
    if resolved is None:
        if state.has_all or state.entries or state.past_overview:
            return None
        verb = list(_PUB_VERB.finditer(pre))
        obj_before = pre[verb[-1].end() :] if verb else pre
        strict = _STRICT_OBJ.search(obj_before)
        loose = _GENERIC_OBJ.search(pre) or obj.startswith("信息")
        if not (strict or (_TOTAL.search(seg_all) and loose)):
            return None
        resolved = ("all", "合计（未分渠道）")
    key, label = resolved
    if key == "all" and (state.has_all or any(e.channel_key != "all" for e in state.entries)):
        return None
    return _Entry(
        channel_key=key,
        channel=label,
        account_name=_account(context, found),
        items=c.items,
        unit=c.unit,
        approximate=c.approximate,
        quote=(pre + c.raw + obj).strip("，,；; "),
    )


def _dedupe(entries: list[_Entry]) -> list[_Entry]:
    """A count restated later (same number, same or overlapping channel) is one entry."""
    kept: list[_Entry] = []
    for e in entries:
        keys = set(e.channel_key.split("+"))
        dup = any(
            k.items == e.items
            and (keys & set(k.channel_key.split("+")) or "all" in keys | {k.channel_key})
            for k in kept
        )
        if not dup:
            kept.append(e)
    return kept


def extract_channels(text: str) -> list[dict]:
    """Contract-shaped channel entries from the narrative (see SPEC.md `channels`)."""
    try:
        body = narrative_text(text or "")
        state = _State()
        prev: str | None = None
        for sentence in _sentences(body):
            if _SECOND_SUB.match(sentence.strip()):
                state.past_overview = True
            _process_sentence(sentence, prev, state)
            prev = sentence
        return [e.as_dict() for e in _dedupe(state.entries)]
    except Exception:  # noqa: BLE001 - contract: never raise on odd input
        return []


# ---------------------------------------------------------------------------
# Section 六
# ---------------------------------------------------------------------------

_FEE_RE = re.compile(
    r"(?:信息)?处理费[^。；;]{0,30}?(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元)"
    r"|收取[^。；;]{0,20}?(?P<num2>\d[\d,]*(?:\.\d+)?)\s*(?P<unit2>万元|元)[^。；;]{0,6}(?:信息)?处理费"
)
_NO_FEE_RE = re.compile(
    r"(?:未|没有|无|不)(?:收取|发生|产生)[^。；;]{0,20}?(?:收费|处理费|费用)|"
    r"(?:收费|处理费)[^。；;]{0,6}(?:情况)?[为:：]?\s*(?:无|0)"
)


def _section6(text: str) -> str:
    text = _normalise(text)
    matches = list(_SEC6_RE.finditer(text))
    start = matches[-1].start() if matches else 0
    return _join_wrapped(text[start:])


def _sentence_at(text: str, pos: int) -> str:
    a = max(text.rfind(ch, 0, pos) for ch in "。\n") + 1
    ends = [i for i in (text.find(ch, pos) for ch in "。\n") if i >= 0]
    return text[a : (min(ends) + 1 if ends else len(text))].strip()


def _npc(text: str, pattern: str) -> tuple[int | None, str | None]:
    m = re.search(pattern + r"[^。；;\d]{0,8}?(\d+)\s*件", text)
    if m:
        return int(m.group(1)), _sentence_at(text, m.start())
    m = re.search(r"未(?:承办|收到|办理)[^。；;]{0,12}" + pattern, text)
    if m:
        return 0, _sentence_at(text, m.start())
    return None, None


def extract_section6(text: str) -> dict:
    """信息处理费 collected (kept apart from table 2's 行政事业性收费), NPC/CPPCC counts."""
    out: dict = {
        "processing_fee": None,
        "processing_fee_unit": None,
        "processing_fee_quote": None,
        "npc_suggestions": None,
        "npc_quote": None,
        "cppcc_proposals": None,
        "cppcc_quote": None,
    }
    try:
        sec = _section6(text or "")
        m = _FEE_RE.search(sec)
        if m:
            num = m.group("num") or m.group("num2")
            out["processing_fee"] = float(num.replace(",", ""))
            out["processing_fee_unit"] = m.group("unit") or m.group("unit2")
            out["processing_fee_quote"] = _sentence_at(sec, m.start())
        else:
            n = _NO_FEE_RE.search(sec)
            if n:
                out["processing_fee"] = 0.0
                out["processing_fee_unit"] = "元"
                out["processing_fee_quote"] = _sentence_at(sec, n.start())
        full = _join_wrapped(_normalise(text or ""))
        for key, pat in (("npc", r"人大代表建议"), ("cppcc", r"政协(?:委员)?提案")):
            val, quote = _npc(sec, pat)
            if val is None:
                val, quote = _npc(full, pat)
            out["npc_suggestions" if key == "npc" else "cppcc_proposals"] = val
            out[f"{key}_quote"] = quote
    except Exception:  # noqa: BLE001 - contract: never raise on odd input
        pass
    return out
