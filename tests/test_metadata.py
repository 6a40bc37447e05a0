"""Agency, reporting year, publication date and scope (pipeline.metadata)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.metadata import extract_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "narrative"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "agency", "year", "published"),
    [
        ("seed-000.txt", "威海市文登区大水泊镇人民政府", 2023, None),
        ("seed-001.txt", "威海市文登区米山镇人民政府", 2022, "2023-01-16"),
        ("seed-002.txt", "海青镇", 2023, None),
        ("seed-003.txt", "文登经济开发区管理委员会", 2023, "2024-01-22"),
        ("seed-004.txt", "青岛西海岸新区大场镇人民政府", 2023, "2024-01-22"),
        ("sh-stcsm-2024-md.md", "上海市科委", 2024, None),
        ("fj-pingtan-2019-txt.txt", "平潭综合实验区", 2019, "2020-01-20"),
    ],
)
def test_fixture_metadata(name: str, agency: str, year: int, published: str | None) -> None:
    md = extract_metadata(_read(name))
    assert (md["agency"], md["year"], md["published"]) == (agency, year, published)
    assert md["evidence"]["agency"]


def test_title_split_over_two_lines_uses_line_before() -> None:
    md = extract_metadata("\n威海市文登区大水泊镇人民政府\n2023年政府信息公开工作年度报告\n正文")
    assert md["agency"] == "威海市文登区大水泊镇人民政府" and md["year"] == 2023


def test_stray_year_after_signature_is_not_the_year() -> None:
    # seed-001 ends with a stray "2021年" fragment after the signature.
    md = extract_metadata(_read("seed-001.txt"))
    assert md["year"] == 2022
    assert md["evidence"]["year"].startswith("statistics period")


def test_signature_extends_title_name() -> None:
    md = extract_metadata(_read("seed-003.txt"))
    assert md["evidence"]["agency"].startswith("signature")


def test_portal_meta_title_and_date() -> None:
    meta = {
        "ArticleTitle": "平潭综合实验区2021年度政府信息公开工作年度报告",
        "PubDate": "2022-02-08 16:34",
        "来源": "平潭县人民政府",
    }
    md = extract_metadata("当前位置：首页 正文 根据《条例》…", meta)
    assert md["agency"] == "平潭综合实验区" and md["year"] == 2021
    assert md["published"] == "2022-02-08"


def test_publication_year_is_not_reporting_year() -> None:
    text = "某某县人民政府\n2023年政府信息公开工作年度报告\n正文……\n某某县人民政府\n2024年1月30日"
    md = extract_metadata(text)
    assert md["year"] == 2023 and md["published"] == "2024-01-30"


def test_scope() -> None:
    md = extract_metadata("本报告汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。")
    assert md["scope"] == "全辖区"
    md = extract_metadata("本机关不掌握相关政府信息")
    assert md["scope"] is None


def test_ocr_misread_place_repaired_by_gazetteer() -> None:
    md = extract_metadata(
        "# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n"
    )
    assert md["agency"] == "沭阳县人民政府"
    assert "沐阳县人民政府" in md["evidence"]["agency_repair"]


def test_odd_input_never_raises() -> None:
    for text in ("", "\x00", "年度报告" * 1000, "2023年"):
        md = extract_metadata(text, {"PubDate": "not a date"})
        assert set(md) >= {"agency", "year", "published", "scope", "evidence"}


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "gold").is_dir():
        pytest.skip("shared corpus not available")
    return CORPUS


def test_corpus_agency_and_year(corpus: Path) -> None:
    from pipeline.readers import read_document

    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = read_document(next((corpus / "docs").glob(gold_path.stem + ".*")))
        md = extract_metadata(doc.text, doc.meta)
        assert (md["agency"], md["year"]) == (gold["agency"], gold["year"]), gold_path.stem
