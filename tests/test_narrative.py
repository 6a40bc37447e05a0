"""Channel counts and section 六 facts from the narrative (pipeline.narrative)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline.narrative import extract_channels, extract_section6, narrative_text

FIXTURES = Path(__file__).parent / "fixtures" / "narrative"
GOLD_DIR = Path(__file__).parent / "fixtures" / "gold"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

FIXTURE_DOCS = [
    "seed-000.txt",
    "seed-001.txt",
    "seed-002.txt",
    "seed-003.txt",
    "seed-004.txt",
    "sh-stcsm-2024-md.md",
    "fj-pingtan-2019-txt.txt",
    "fj-pingtan-2020-txt.txt",
]


def _pairs(channels: list[dict]) -> Counter:
    return Counter((c["channel_key"], c["items"]) for c in channels)


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", FIXTURE_DOCS)
def test_fixture_channels_match_gold(name: str) -> None:
    gold = json.loads((GOLD_DIR / (Path(name).stem + ".json")).read_text(encoding="utf-8"))
    assert _pairs(extract_channels(_read(name))) == _pairs(gold["channels"])


def test_seed000_account_categories_and_shape() -> None:
    got = extract_channels(_read("seed-000.txt"))
    web, wechat = got
    assert web["channel_key"] == "website" and web["items"] == 66 and web["unit"] == "条"
    assert [c["label"] for c in web["categories"]][:2] == ["公告公示", "行政执法公示"]
    assert sum(c["items"] for c in web["categories"]) == 66
    assert wechat["account_name"] == "耕读大水泊" and wechat["approximate"] is False
    assert "316" in wechat["quote"]
    assert set(web) == {
        "channel_key",
        "channel",
        "account_name",
        "items",
        "unit",
        "approximate",
        "quote",
        "categories",
    }


def test_combined_channels_and_page_views_not_items() -> None:
    got = extract_channels(_read("seed-004.txt"))
    assert ("douyin+wechat_channels", 207) in _pairs(got)
    # 浏览量560万 (page views) and 800 余次 (kiosk uses) are not published items.
    assert all(c["items"] not in (560, 5600000, 800) for c in got)


def test_restated_count_is_one_entry() -> None:
    # seed-002 states the 51 WeChat items in 主动公开 and again under 平台建设.
    got = extract_channels(_read("seed-002.txt"))
    assert _pairs(got) == Counter({("wechat", 51): 1})


def test_total_then_per_channel_and_category_breakdown() -> None:
    got = extract_channels(_read("seed-003.txt"))
    assert [c["channel_key"] for c in got] == ["all", "website", "wechat"]
    assert got[1]["categories"][0] == {"label": "政务机构职能类", "items": 1}
    assert got[2]["account_name"] == "山东文登经济开发区"
    # 参加政府信息公开培训3场 / 开放日活动1次 are not channels.
    assert all(c["items"] not in (1, 3) for c in got)


def test_approximate_and_two_weibo_wechat() -> None:
    got = extract_channels(_read("fj-pingtan-2019-txt.txt"))
    two = [c for c in got if c["channel_key"] == "weibo+wechat"]
    assert len(two) == 1 and two[0]["items"] == 1000 and two[0]["approximate"] is True
    total = got[0]
    assert total["channel_key"] == "all" and len(total["categories"]) == 11


def test_category_label_not_a_channel() -> None:
    text = (
        "一、总体情况\n全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条；"
        "政府网站信息185条；政府信息公开制度1条。\n二、主动公开政府信息情况\n"
    )
    got = extract_channels(text)
    assert _pairs(got) == Counter({("all", 249): 1})
    labels = [c["label"] for c in got[0]["categories"]]
    assert labels == ["行政公文和政策解读信息", "政府网站信息", "政府信息公开制度"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "全年通过政府网站发布信息1234条，政务微博发布信息567条。",
            {("website", 1234), ("weibo", 567)},
        ),
        ("在《政府公报》刊登文件12件。", {("gazette", 12)}),
        ("通过政府公报刊登规范性文件12件。", {("gazette", 12)}),
        ("全年召开新闻发布会12场，发布政策解读21个。", set()),
        ("现有政务新媒体账号5个，开设专栏33个。", set()),
        ("今日头条发布信息300余条。", {("toutiao", 300)}),
        ("“XX发布”客户端推送信息1,200条。", {("app", 1200)}),
        ("受理政府信息公开申请21件。", set()),
    ],
)
def test_sentence_rules(sentence: str, expected: set) -> None:
    got = extract_channels("一、总体情况\n" + sentence)
    assert {(c["channel_key"], c["items"]) for c in got} == expected


def test_tables_are_not_narrative() -> None:
    text = _read("seed-004.txt")
    body = narrative_text(text)
    assert "抖音、视频号207条" in body
    assert "第二十条" not in body and "行政许可" not in body


def test_odd_input_never_raises() -> None:
    assert extract_channels("") == []
    assert extract_channels("\x00\ufeff123条") == []
    assert extract_section6("")["processing_fee"] is None


def test_section6_fee_and_npc() -> None:
    s = extract_section6(_read("seed-000.txt"))
    assert s["processing_fee"] == 0 and "信息处理费" in s["processing_fee_quote"]
    assert s["npc_suggestions"] == 0 and s["cppcc_proposals"] == 0
    text = "六、其他需要报告的事项\n2024 年，市政府严格落实《政府信息公开信息处理费管理\n办法》，全年收取政府信息公开信息处理费 3940 元。"
    s = extract_section6(text)
    assert s["processing_fee"] == 3940 and s["processing_fee_unit"] == "元"


def test_section6_fee_separate_from_table2_fees() -> None:
    # Table 2's 行政事业性收费 (万元) must not be read as the 信息处理费.
    s = extract_section6(_read("seed-004.txt"))
    assert s["processing_fee"] in (None, 0)
    s = extract_section6("行政事业性收费\t7545\n六、其他需要报告的事项\n本年度未收取信息处理费。")
    assert s["processing_fee"] == 0


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "gold").is_dir():
        pytest.skip("shared corpus not available")
    return CORPUS


def test_corpus_channel_precision_recall(corpus: Path) -> None:
    from pipeline.readers import read_document

    tp = got_n = want_n = 0
    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = next((corpus / "docs").glob(gold_path.stem + ".*"))
        got, want = _pairs(extract_channels(read_document(doc).text)), _pairs(gold["channels"])
        tp += sum((got & want).values())
        got_n += sum(got.values())
        want_n += sum(want.values())
    assert tp / got_n >= 0.95 and tp / want_n >= 0.95


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2023年，主动公开政府信息1523条，其中政策文件52条、工作动态1200条。",
            {("all", 1523)},
        ),
        (
            "全年共主动公开政府信息3456条，其中通过政府门户网站公开2345条，"
            "通过“XX发布”微信公众号发布1000条，政务微博发布111条。",
            {("all", 3456), ("website", 2345), ("wechat", 1000), ("weibo", 111)},
        ),
        ("2023年对外主动公开重点工作信息2条。", set()),
        ("通过政务新媒体发布信息1.2万余条。", {("new_media", 12000)}),
    ],
)
def test_overview_phrasings(text: str, expected: set) -> None:
    got = extract_channels("一、总体情况\n（一）主动公开情况\n" + text)
    assert {(c["channel_key"], c["items"]) for c in got} == expected
