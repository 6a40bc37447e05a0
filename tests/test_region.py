"""Region resolution against the bundled gazetteer (pipeline.region)."""

from __future__ import annotations

import pytest

from pipeline.region import region_hierarchy, resolve_region


def test_full_chain_to_township() -> None:
    r = resolve_region("威海市文登区大水泊镇人民政府", "")
    assert (r["province"], r["city"], r["county"], r["township"]) == (
        "山东省",
        "威海市",
        "文登区",
        "大水泊镇",
    )
    assert r["level"] == "township" and r["code"].startswith("371003")
    assert "威海市" in r["rule"]


def test_short_township_needs_hint() -> None:
    bare = resolve_region("海青镇", "")
    assert bare["code"] is None and "ambiguous" in bare["reason"]
    assert len(bare["candidates"]) >= 2
    r = resolve_region("海青镇", "", hint="山东省青岛市黄岛区")
    assert (r["city"], r["county"], r["township"]) == ("青岛市", "黄岛区", "海青镇")
    assert "hint" in r["rule"]


def test_hint_as_code() -> None:
    r = resolve_region("海青镇", "", hint="370211")
    assert r["township"] == "海青镇"


def test_development_zone_maps_to_county_with_note() -> None:
    r = resolve_region("文登经济开发区管理委员会", "", hint="山东省威海市文登区")
    assert (r["county"], r["township"], r["level"]) == ("文登区", None, "county")
    assert "development zone" in r["note"]


def test_new_area_and_township() -> None:
    r = resolve_region("青岛西海岸新区大场镇人民政府", "")
    assert (r["province"], r["city"], r["county"], r["township"]) == (
        "山东省",
        "青岛市",
        "黄岛区",
        "大场镇",
    )


def test_special_zone_province_administered() -> None:
    r = resolve_region("平潭综合实验区", "")
    assert (r["province"], r["city"], r["county"]) == ("福建省", None, "平潭综合实验区")
    assert r["code"] == "350128000000" and "平潭县" in r["note"]


def test_municipality_department_and_county_department() -> None:
    r = resolve_region("上海市科委", "")
    assert (r["province"], r["city"], r["county"], r["level"]) == ("上海市", None, None, "province")
    r = resolve_region("沭阳县发展和改革局", "")
    assert (r["province"], r["city"], r["county"]) == ("江苏省", "宿迁市", "沭阳县")


def test_title_lines_when_agency_is_missing() -> None:
    r = resolve_region(None, "淮安市洪泽区人民政府\n2024 年政府信息公开工作年度报告\n")
    assert r["county"] == "洪泽区" and r["rule"].startswith("title")


def test_hint_conflict_does_not_guess() -> None:
    # 海青镇 is not inside 威海市: no candidate survives, so the hint region is reported.
    r = resolve_region("海青镇", "", hint="山东省威海市")
    assert r["township"] is None and r["city"] == "威海市"


@pytest.mark.parametrize("agency", [None, "", "xyz", "国务院办公厅", "\x00"])
def test_unresolvable_never_raises(agency: str | None) -> None:
    r = resolve_region(agency, "", hint="nowhere")
    assert r["code"] is None and r["reason"]


def test_hierarchy_rows_roll_up() -> None:
    code = resolve_region("威海市文登区米山镇人民政府", "")["code"]
    rows = region_hierarchy(code)
    assert [r["level"] for r in rows] == ["province", "city", "county", "township"]
    assert rows[0]["parent_code"] is None
    assert all(rows[i]["parent_code"] == rows[i - 1]["code"] for i in range(1, 4))
    assert rows[-1]["province"] == "山东省" and rows[-1]["township"] == "米山镇"
    assert region_hierarchy(None) == [] and region_hierarchy("999") == []


def test_same_name_in_two_places_is_not_guessed() -> None:
    # 大场镇 exists in 上海市宝山区 and 青岛市黄岛区: a deeper code must not win the tie.
    r = resolve_region("大场镇", "")
    assert r["code"] is None and "ambiguous" in r["reason"]
    r = resolve_region("大场镇人民政府", "", hint="山东省青岛市黄岛区")
    assert r["county"] == "黄岛区"
