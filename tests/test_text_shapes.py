"""Derived text renderings: crawled text with concatenated cells, PDF→markdown, OCR→markdown.

Fixtures in tests/fixtures/text_shapes are byte copies of corpus documents:
fj-pingtan-20XX-txt.txt (a crawler's page.txt: table cells run together without
separators; 2019 and 2020 in the 2019 layout), sh-*-md.md (PDF→markdown with detached labels and bare number rows) and
js-suqian-shuyang-2025-ocrtxt.txt (OCR→markdown, renamed columns, a wrong header row).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import gold

from pipeline.digitruns import enumerate_splits, iter_cut_values, restated_counts, split_table3
from pipeline.model import Document, TextBlock
from pipeline.report import parse_file
from pipeline.rows import Source, Value, _tokens, document_rows
from pipeline.tables import TABLE3_KEYS, TABLE4_KEYS, TableResult, parse_table2, parse_table3
from pipeline.values import parse_value

SHAPES = Path(__file__).resolve().parent / "fixtures" / "text_shapes"
CHECKS_OK = {"balance": True, "results_sum": True, "row_totals": True, "table4_totals": True}


# --------------------------------------------------------------------------- cutting


def test_cuts_respect_leading_zeros_and_signs() -> None:
    # "0" is one cell; a longer number never starts with 0.
    assert list(iter_cut_values(["000023"], 6)) == [(0, 0, 0, 0, 2, 3), (0, 0, 0, 0, 23)][:1]
    assert (0, 0, 0, 0, 23) in iter_cut_values(["000023"], 5)
    assert all(c[0] == 0 for c in iter_cut_values(["0123"], 2))
    # A minus sign starts a cell: "2648-18538" = 2648 | -18 | 538 is one of the cuts.
    cuts = set(iter_cut_values(["2648-18538"], 3))
    assert (2648, -18, 538) in cuts
    assert all(not (isinstance(v, int) and v > 9999) for c in cuts for v in c[:1])
    # Printed separators are cell boundaries: each run yields at least one cell.
    assert set(iter_cut_values(["230", "000023"], 7)) >= {(23, 0, 0, 0, 0, 0, 23)}
    assert all(len(c) == 7 for c in iter_cut_values(["230", "000023"], 7))


def test_cuts_prune_and_accept() -> None:
    def row_total(c: list) -> bool:
        return sum(c[:6]) == c[6]

    got = {s for s, _ in enumerate_splits(["21710000218"], 7, accept=row_total)}
    assert got == {(217, 1, 0, 0, 0, 0, 218)}
    got = {s for s, _ in enumerate_splits(["270020130"], 7, accept=row_total)}
    assert got == {(27, 0, 0, 2, 0, 1, 30), (2, 7, 0, 0, 20, 1, 30)}
    # The pruning callback cuts branches early (here: no cell above 99).
    assert all(
        max(s) < 100 for s, _ in enumerate_splits(["270020130"], 7, prune=lambda c: c[-1] < 100)
    )


def _glued_row(raw: str, line: int) -> list[Value]:
    return [Value(parse_value(raw), Source(line=line), glued=True)]


def test_column_rules_settle_rows_the_row_total_cannot() -> None:
    """2021 page.txt: 予以公开 "270020130" and 本机关不掌握 "220000325" each allow two cuts
    under the row total; only one pair of cuts makes the outcome rows add up to 总计."""
    result = TableResult(found=True)
    runs = {
        "new": "640020470",
        "carried_over": "0000000",
        "granted": "270020130",
        "partial": "5000005",
        "denied_internal_affairs": "1000001",
        "denied_enforcement_file": "6000006",
        "denied_query_matter": "1000001",
        "unavailable_not_held": "220000325",
        "other_other": "1000001",
        "total": "630020469",
        "carried_forward": "1000001",
    }
    assigned = {k: _glued_row(v, i) for i, (k, v) in enumerate(runs.items())}
    result.cells = {k: None for k in TABLE3_KEYS}
    split_table3(result, assigned)
    assert result.values("granted") == [27, 0, 0, 2, 0, 1, 30]
    assert result.values("unavailable_not_held") == [22, 0, 0, 0, 0, 3, 25]
    assert result.values("new") == [64, 0, 0, 2, 0, 4, 70]
    cell = result.cells["granted"][0]  # type: ignore[index]
    assert cell.raw == "270020130" and not cell.derived  # raw text of the run is kept
    assert any("granted" in n and "split as" in n for n in result.notes)


def test_ambiguous_run_is_left_null_with_a_note() -> None:
    result = TableResult(found=True)
    result.cells = {k: None for k in TABLE3_KEYS}
    # Alone, "270020130" is 27|0|0|2|0|1|30 or 2|7|0|0|20|1|30: nothing else to decide.
    split_table3(result, {"granted": _glued_row("270020130", 1)})
    assert result.cells["granted"] is None
    assert any("granted" in n and "2 cuts" in n for n in result.notes)


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (
            "一、本年新收政府信息公开申请数量230 000023二、上年结转",
            ["一、本年新收政府信息公开申请数量", "230", "000023", "二、上年结转"],
        ),
        # The row number of the next label follows the digits: "…00000002.其他…".
        (
            "1.属于国家秘密00000002.其他法律行政法规禁止公开",
            ["1.属于国家秘密", "0000000", "2.其他法律行政法规禁止公开"],
        ),
        ("行政处罚2648-18538行政强制", ["行政处罚", "2648-18538", "行政强制"]),
        ("行政事业性收费24252.311082三、收到", ["行政事业性收费", "24252.311082", "三、收到"]),
        # Numbers in prose keep their unit and stay in the label.
        ("今年共发布380条信息，电话0591-23165250；", ["今年共发布380条信息，电话0591-23165250；"]),
        ("聚焦新中国成立 70 周年", ["聚焦新中国成立 70 周年"]),
        ("（1）加强政策解读", ["（1）加强政策解读"]),
        # Number words run on into a marked label: they are values.
        (
            "（七）总计23 0 00 0 023四、结转",
            ["（七）总计", "23", "0", "00", "0", "023", "四、结转"],
        ),
        # A run followed by the next marked label is not an annotation "（…）".
        (
            "210000021（二）部分公开（只计这一情形）",
            ["210000021", "（二）部分公开（只计这一情形）"],
        ),
        ("22（其中修订16件）", ["22（其中修订16件）"]),
        ("1. 属于国家秘密 0 0 0", ["1. 属于国家秘密", "0", "0", "0"]),
        ("2023 年", ["2023 年"]),
    ],
)
def test_tokens_of_flattened_text(piece: str, expected: list[str]) -> None:
    assert [t for t, _ in _tokens(piece)] == expected


def test_delimited_cells_are_not_cut() -> None:
    # An OCR header cell "数据1" is a label, not a label plus a value.
    assert [t for t, _ in _tokens("数据1", glue=False)] == ["数据1"]


def test_markdown_lines_blank_cells_and_page_numbers() -> None:
    text = (
        "（二）部分公开\n"
        "| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
        "— 4 —\n"
        "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
        "| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 |  |\n"
    )
    rows = document_rows(Document(path="x.md", format="md", blocks=[TextBlock(text, line=1)]))
    assert [r.label for r in rows] == [
        "（二）部分公开",
        "1.属于国家秘密",
        "",
        "四、结转下年度继续办理",
    ]
    assert len(rows[1].values) == 7  # the page number did not join a row
    assert len(rows[2].values) == 7  # a bare number line is its own row
    last = rows[3].values
    assert len(last) == 7 and last[-1].cell.kind == "null"  # printed blank stays null


# --------------------------------------------------------------------------- documents


def _parse(name: str) -> dict:
    return parse_file(SHAPES / name)


@pytest.mark.parametrize("doc_id", ["fj-pingtan-2020-txt", "fj-pingtan-2021-txt"])
def test_crawled_text_tables_3_and_4_match_gold(doc_id: str) -> None:
    report = _parse(f"{doc_id}.txt")
    expected = gold(doc_id)
    for key in TABLE3_KEYS:
        assert report["table3"][key] == expected["table3"][key], key
    for key in TABLE4_KEYS:
        assert report["table4"][key] == expected["table4"][key], key
    assert report["format_version"] == expected["format_version"]


def test_crawled_text_table2_takes_only_unique_cuts() -> None:
    report = _parse("fj-pingtan-2021-txt.txt")
    t2 = report["table2"]
    assert t2["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}  # "000"
    assert t2["normative_documents"] is None  # "693665": 7 possible cuts
    assert any("normative_documents" in n and "7 possible cuts" in n for n in report["notes"])
    assert (t2["licensing"], t2["penalty"], t2["coercion"]) == (2293, 1282, 42)
    assert t2["fees_10k_yuan"] == 24252.311082

    old = _parse("fj-pingtan-2020-txt.txt")
    extra = old["table2_2019_extra"]
    assert extra["fees"] == {"prev_year_items": 35, "change": -15}  # "35-15": one cut
    assert old["table2"]["licensing"] is None  # "396442278": many cuts, no rule


def test_crawled_2019_text_table2_settled_under_stated_assumptions() -> None:
    """2019 layout, every 本年增/减 can be 0: ambiguous runs are cut under that
    assumption, marked "assumed" and noted; the values equal the hand-verified ones."""
    report = parse_file(SHAPES / "fj-pingtan-2019-txt.txt")
    expected = gold("fj-pingtan-2019-txt")
    assert report["table2"] == expected["table2"]
    assert report["table2_2019_extra"] == expected["table2_2019_extra"]
    bases = {(c["row"], c["column"]): c["basis"] for c in report["cells"] if c["table"] == "table2"}
    assert bases[("licensing", "0")] == bases[("licensing", "1")] == "assumed"
    assert bases[("normative_documents", "2")] == "assumed"  # "898989": made = published
    assert bases[("regulations", "0")] == "split"  # "000": the only cut
    assert any("licensing" in n and "assumption no_change_in_items" in n for n in report["notes"])


def test_assumption_withdrawn_when_a_row_contradicts_it() -> None:
    """2020: "35-15" is a printed change of -15, so 本年增/减 = 0 is not assumed anywhere."""
    report = _parse("fj-pingtan-2020-txt.txt")
    assert report["table2_2019_extra"]["other_admin_services"] is None  # "107105"
    assert any(
        "no_change_in_items" in n and "does not hold in row fees" in n for n in report["notes"]
    )
    assert not any(c["basis"] == "assumed" for c in report["cells"])


def _table2_text(rows: str) -> dict:
    """A flattened 2019-layout table 2 followed by table 3's heading, parsed."""
    head = (
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量"
        "对外公开总数量规章000规范性文件898989第二十条第（五）项信息内容上一年项目数量"
        "本年增/减处理决定数量"
    )
    text = head + rows + "三、收到和处理政府信息公开申请情况"
    doc = Document(path="x.txt", format="txt", blocks=[TextBlock(text, line=1)])
    result = parse_table2(document_rows(doc))
    return {k: (None if v is None else [c.value for c in v]) for k, v in result.cells.items()} | {
        "_bases": {k: {c.basis for c in v} for k, v in result.cells.items() if v},
        "_notes": result.notes,
    }


@pytest.mark.parametrize(
    ("rows", "licensing", "assumed"),
    [
        # every change can be 0: "3960181" has one such cut
        ("行政许可3960181其他对外管理服务事项100153", [396, 0, 181], True),
        # a printed, separated non-zero change withdraws the assumption for the block
        ("行政许可3960181其他对外管理服务事项10 7 105", None, False),
        # a run with no possible zero change refutes it too
        ("行政许可3960181其他对外管理服务事项1262629", None, False),
    ],
)
def test_table2_assumption_needs_the_whole_block(
    rows: str, licensing: list[int] | None, assumed: bool
) -> None:
    got = _table2_text(rows)
    assert got["licensing"] == licensing
    assert ("assumed" in got["_bases"].get("licensing", set())) is assumed
    assert got["normative_documents"] == [89, 89, 89]  # its own block's assumption holds


def test_narrative_restatement_settles_a_table2_run() -> None:
    """2022: "现行有效行政规范性文件698件 … 本年度制发的规范性文件88件" leaves one cut of
    "8855698"; 2023's narrative (393 in force) contradicts its table (470): not used."""
    report = _parse("fj-pingtan-2022-txt.txt")
    assert report["table2"]["normative_documents"] == {
        "issued": 88,
        "repealed": 55,
        "in_force": 698,
    }
    bases = {c["basis"] for c in report["cells"] if c["row"] == "normative_documents"}
    assert bases == {"narrative"}
    older = _parse("fj-pingtan-2023-txt.txt")
    assert older["table2"]["normative_documents"] is None
    assert any("0 of the 13 cuts" in n and "not used" in n for n in older["notes"])


def test_restated_counts_need_the_noun_and_the_verb() -> None:
    text = (
        "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。"
        "涵盖政策及规范性文件类11条。已宣布废止规范性文件5件。"
    )
    assert restated_counts(text) == {"normative_documents": {2: {698}, 0: {88}, 1: {5}}}


def test_table2_signed_changes_start_a_cell() -> None:
    """A "+" like a "-" starts the 本年增/减 cell: "3+14" is 3 | +1 | 4; "144+5149" has
    several cuts and stays null (it must never become 1 | 4 | 4 with "+5149" dropped)."""
    got = _table2_text(
        "行政许可20+1737其他对外管理服务事项144+5149第二十条第（六）项信息内容"
        "上一年项目数量本年增/减处理决定数量行政处罚67 +36 103行政强制3+14"
    )
    assert got["licensing"] is None and got["other_admin_services"] is None
    assert got["penalty"] == [67, 36, 103]
    assert got["coercion"] == [3, 1, 4] and got["_bases"]["coercion"] == {"split"}
    assert any("'144+5149' not split" in n for n in got["_notes"])


def test_procurement_amount_cut_from_a_run_is_its_own_part(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量"
        "对外公开总数量规章000第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购00"
        "三、收到和处理政府信息公开申请情况",
        "utf-8",
    )
    report = parse_file(path)
    assert report["table2_2019_extra"]["procurement"] == {"items": 0, "amount": "0"}


def test_table2_2021_layout_never_assumes() -> None:
    text = (
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
        "规章 000行政规范性文件693665第二十条第（五）项信息内容本年处理决定数量行政许可2293 "
        "三、收到和处理政府信息公开申请情况"
    )
    doc = Document(path="x.txt", format="txt", blocks=[TextBlock(text, line=1)])
    result = parse_table2(document_rows(doc))
    assert result.version == "2021"
    assert result.values("normative_documents") is None
    assert result.values("regulations") == [0, 0, 0]


def test_crawled_text_2024_row_total_and_balance() -> None:
    report = _parse("fj-pingtan-2024-txt.txt")
    t3 = report["table3"]
    assert t3["new"] == [217, 1, 0, 0, 0, 0, 218]
    assert t3["denied_internal_affairs"] == [32, 0, 0, 0, 0, 0, 32]
    assert report["table4"] == {
        "review": [2, 1, 3, 1, 7],
        "litigation_direct": [0, 0, 0, 0, 0],
        "litigation_after_review": [13, 2, 4, 0, 19],
    }
    assert report["checks"] == CHECKS_OK


def test_pdf_markdown_detached_labels_match_gold() -> None:
    report = _parse("sh-stcsm-2024-md.md")
    expected = gold("sh-stcsm-2024-md")
    for key in TABLE3_KEYS:
        assert report["table3"][key] == expected["table3"][key], key
    for key in TABLE4_KEYS:
        assert report["table4"][key] == expected["table4"][key], key
    assert report["table2"] == expected["table2"]


def test_pdf_markdown_office_rows_placed_by_order() -> None:
    report = _parse("sh-gov-office-2025-md.md")
    t3 = report["table3"]
    assert t3["partial"] == [2, 0, 0, 0, 0, 0, 2]
    assert t3["not_processed_mass_repeat"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["other_overdue_correction"] == [40, 1, 0, 0, 2, 0, 43]
    assert t3["other_other"] == [264, 12, 0, 0, 0, 0, 276]
    assert report["checks"] == CHECKS_OK


def test_ocr_markdown_block_under_wrong_header() -> None:
    report = _parse("js-suqian-shuyang-2025-ocrtxt.txt")
    t3 = report["table3"]
    assert t3["other_overdue_correction"] == [9, 0, 0, 0, 0, 0, 9]
    assert t3["other_other"] == [142, 1, 0, 0, 0, 0, 143]
    assert t3["total"] == [710, 3, 0, 0, 5, 0, 718]
    assert report["checks"] == CHECKS_OK


def test_parse_table3_does_not_guess_without_rules() -> None:
    # Two glued rows, no outcome rows: C3 alone leaves 2 cuts for "270020130".
    text = "一、本年新收政府信息公开申请数量270020130二、上年结转政府信息公开申请数量0000000"
    rows = document_rows(Document(path="x.txt", format="txt", blocks=[TextBlock(text, line=1)]))
    result, _, _ = parse_table3(rows)
    assert result.values("carried_over") == [0] * 7
    assert result.values("new") is None


def test_all_crawled_pingtan_texts_agree_with_their_html(corpus: Path) -> None:
    """The page.txt of each year gives tables 3 and 4 exactly as its HTML twin."""
    for year in range(2019, 2026):
        html = parse_file(corpus / "docs" / f"fj-pingtan-{year}.html")
        text = parse_file(corpus / "docs" / f"fj-pingtan-{year}-txt.txt")
        assert text["status"] == "ok"
        assert text["table3"] == html["table3"], year
        assert text["table4"] == html["table4"], year
