"""Document readers: real corpus files (HTML, PDF) against hand-verified values, plus
generated DOCX, HTML edge cases, OCR on a rendered page and bad input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.model import Cell, Document, Table, TextBlock
from pipeline.readers import ReadError, read_document
from pipeline.readers.docx import read_docx
from pipeline.readers.html import read_html
from pipeline.readers.image import read_image
from pipeline.readers.pdf import read_pdf
from pipeline.textutil import squash

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "readers"
CORPUS = sorted(p.name for p in FIX.iterdir() if p.suffix in (".html", ".pdf"))
GOLD_DIR = Path(__file__).resolve().parent / "fixtures" / "gold"
GOLD = sorted(
    n.rsplit(".", 1)[0] for n in CORPUS if (GOLD_DIR / f"{n.rsplit('.', 1)[0]}.json").exists()
)
_BLANK = {"", "/", "—", "-", "无"}

_docs: dict[str, Document] = {}


def doc_of(name: str) -> Document:
    """Read each fixture once per session: PDFs take a fraction of a second each."""
    if name not in _docs:
        _docs[name] = read_document(FIX / name)
    return _docs[name]


def values(row: list[Cell]) -> list[int | float | None]:
    """Printed values of a grid row: trailing cells after the labels, spans skipped."""
    out: list[int | float | None] = []
    for cell in row:
        if cell.spanned:
            continue
        s = squash(cell.text)
        if re.fullmatch(r"-?\d+", s):
            out.append(int(s))
        elif re.fullmatch(r"-?\d+\.\d+", s):
            out.append(float(s))
        elif s in _BLANK:
            out.append(None)
    return out


def rows_with(doc: Document, key: str) -> list[list[Cell]]:
    key = squash(key)
    return [row for t in doc.tables for row in t.rows if any(key in squash(c.text) for c in row)]


def table3_row(doc: Document, key: str) -> list[int | float | None]:
    """The 7 numbers of the table-3 row whose label contains `key` (first match with 7)."""
    for row in rows_with(doc, key):
        nums = values(row)
        if len(nums) >= 7 and any(n is not None for n in nums[-7:]):
            return nums[-7:]
    raise AssertionError(f"no table-3 row with {key!r} and 7 values")


def table4_row(doc: Document) -> list[int | float | None]:
    """The 15-number row directly under table 4's header (行政复议 … 复议后起诉)."""
    for t in doc.tables:
        if not any("复议后起诉" in c.text for row in t.rows for c in row):
            continue
        for row in t.rows:
            nums = values(row)
            if len(nums) == 15 and sum(n is not None for n in nums) == 15:
                return nums
    raise AssertionError("no table-4 row of 15 numbers")


def gold(name: str) -> dict:
    return json.loads((GOLD_DIR / f"{name}.json").read_text(encoding="utf-8"))


def fixture_for(gold_id: str) -> str:
    return next(n for n in CORPUS if n.rsplit(".", 1)[0] == gold_id)


# ---------------------------------------------------------------------------
# Corpus: gold values


@pytest.mark.parametrize("gold_id", GOLD)
def test_gold_table3_rows(gold_id: str) -> None:
    doc = doc_of(fixture_for(gold_id))
    g = gold(gold_id)["table3"]
    assert table3_row(doc, "本年新收") == g["new"]
    assert table3_row(doc, "（七）总计") == g["total"]
    assert table3_row(doc, "结转下年度") == g["carried_forward"]


@pytest.mark.parametrize("gold_id", GOLD)
def test_gold_table4_row(gold_id: str) -> None:
    doc = doc_of(fixture_for(gold_id))
    g = gold(gold_id)["table4"]
    assert table4_row(doc) == g["review"] + g["litigation_direct"] + g["litigation_after_review"]


@pytest.mark.parametrize("gold_id", GOLD)
def test_gold_every_table3_row(gold_id: str) -> None:
    """Every labelled outcome row of the gold lines up with its 7 numbers."""
    doc = doc_of(fixture_for(gold_id))
    g = gold(gold_id)["table3"]
    probes = {
        "granted": "予以公开",
        "denied_state_secret": "属于国家秘密",
        "denied_process_info": "四类过程性信息",
        "unavailable_not_held": "本机关不掌握",
        "unavailable_needs_creation": "没有现成信息",
        "not_processed_petition": "信访举报投诉",
        "not_processed_repeat": "重复申请",
    }
    for key, label in probes.items():
        if g.get(key) is not None:
            assert table3_row(doc, label) == g[key], key


# ---------------------------------------------------------------------------
# Corpus: every HTML and PDF has tables 2/3/4 as aligned grids


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_has_three_aligned_tables(name: str) -> None:
    doc = doc_of(name)
    new = table3_row(doc, "本年新收")
    total = table3_row(doc, "（七）总计")
    assert all(isinstance(v, int) or v is None for v in new + total)
    assert len(table4_row(doc)) == 15
    assert rows_with(doc, "行政处罚"), "table 2 row 行政处罚 missing"
    # Grids are rectangular and cells know their position.
    for t in doc.tables:
        width = len(t.rows[0])
        for r, row in enumerate(t.rows):
            assert len(row) == width
            assert all(c.row == r and c.col == k for k, c in enumerate(row))


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_group_labels_are_repeated_as_spans(name: str) -> None:
    """Merged group cells are expanded: the row of 2.重复申请 also carries （五）不予处理."""
    doc = doc_of(name)
    if not rows_with(doc, "2.重复申请"):
        pytest.skip("2019 layout without numbered 不予处理 rows")
    row = rows_with(doc, "2.重复申请")[0]
    group = [c for c in row if "不予处理" in c.text]
    assert group and group[0].spanned


def test_huaian_city_table3_stitched_across_pages() -> None:
    doc = doc_of("js-huaian-city-2024.pdf")
    assert len(doc.tables) == 3  # tables 2 and 3 both run over a page break
    t3 = doc.tables[1]
    assert t3.page == 4
    # The split group label is one cell again and spans the rows on both pages.
    row = rows_with(doc, "2.没有现成信息需要另行制作")[0]
    assert row[1].text == "（四）无法提供"
    assert table3_row(doc, "2.没有现成信息") == [11, 0, 0, 0, 0, 0, 11]
    assert table3_row(doc, "本年新收") == [3001, 53, 0, 0, 61, 4, 3119]
    assert table3_row(doc, "上年结转") == [34, 0, 0, 0, 0, 0, 34]
    assert table3_row(doc, "（七）总计") == [2932, 53, 0, 0, 61, 4, 3050]
    assert table3_row(doc, "结转下年度") == [103, 0, 0, 0, 0, 0, 103]
    assert table4_row(doc) == [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    # Only one header block: the continuation repeated none, and none was invented.
    assert len(rows_with(doc, "申请人情况")) == 1


def test_pdf_text_blocks() -> None:
    doc = doc_of("js-huaian-city-2024.pdf")
    text = "\n".join(b.text for b in doc.blocks if isinstance(b, TextBlock))
    assert "淮安市人民政府" in text and "六、其他需要报告的事项" in text
    assert not re.search(r"^- \d+ -$", text, re.M), "page numbers are dropped"
    assert "3985758" not in text, "table text is not repeated as prose"
    assert doc.meta["pages"] == "6" and "CreationDate" in doc.meta
    assert [b.page for b in doc.blocks if isinstance(b, TextBlock)][0] == 1


def test_hongze_text_frames_are_not_tables() -> None:
    """White paragraph backgrounds drawn as rects must not become one-column tables."""
    doc = doc_of("js-huaian-hongze-2023.pdf")
    assert len(doc.tables) == 3
    assert all(len(t.rows[0]) > 1 for t in doc.tables)
    assert "信息处理费 0 元" in doc.text


# ---------------------------------------------------------------------------
# HTML specifics


def test_html_meta_and_body() -> None:
    doc = doc_of("fj-pingtan-2021.html")
    assert doc.meta["ArticleTitle"] == "平潭综合实验区2021年度政府信息公开工作年度报告"
    assert doc.meta["PubDate"] == "2022-02-08 16:34"
    assert doc.meta["来源"] == "平潭县人民政府"
    assert doc.meta["body_container"].startswith("div")
    first = next(b for b in doc.blocks if isinstance(b, TextBlock))
    assert "当前位置" not in doc.text and "function" not in doc.text
    assert "条例" in first.text[:200]


def test_html_header_table_meta() -> None:
    doc = doc_of("js-suqian-shuyang-fgj-2023.html")
    assert doc.meta["发布机构"] == "沭阳县发展和改革局"
    assert doc.meta["公开日期"] == "2024-01-17"
    # The blank organisation columns stay blank strings (null, not 0, for the parser).
    assert table3_row(doc, "本年新收") == [26, None, None, None, None, None, 26]


def _page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<html><head>{head}<title>T</title></head><body>{body}</body></html>"


def test_html_word_markup_spans_nbsp_and_pre_tabs() -> None:
    body = """
    <div class="nav"><a href="/">首页</a> <a href="/x">政务公开</a></div>
    <div class="TRS_Editor">
      <p class="MsoNormal"><span style="white-space:pre">\t</span>一、总体情况通过政府网站主动公开信息66条。这是足够长的报告正文，
      用来让正文容器有足够的文字。</p>
      <table class="MsoTableGrid"><tr>
        <td rowspan="2" colspan="2"><p><span style="mso-bidi-font-family:宋体">申请</span><span>人</span></p></td>
        <td><p>自然</p><p>人</p></td></tr>
        <tr><td><span lang="EN-US">2</span><span lang="EN-US">6</span></td></tr>
        <tr><td>一、本年新收</td><td>&nbsp;</td><td><o:p>&nbsp;</o:p>1<span>&nbsp;</span></td></tr>
      </table>
      <script>var x = "不是正文";</script>
      <p>五、存在的主要问题</p>
    </div>
    <div class="footer">版权所有</div>"""
    doc = read_html(_page(body * 1).encode("utf-8"), "word.html")
    (table,) = doc.tables
    rows = table.text_rows()
    assert rows[0] == ["申请人", "申请人", "自然人"]
    assert [c.spanned for c in table.rows[1]] == [True, True, False]
    assert rows[1][2] == "26"
    assert rows[2] == ["一、本年新收", "", "1"]
    assert "不是正文" not in doc.text and "版权所有" not in doc.text and "首页" not in doc.text
    assert doc.blocks[0].text.startswith("一、总体情况")
    # The source line break between two CJK characters is not a space.
    assert "足够的文字" in doc.blocks[0].text and "，用来" in doc.blocks[0].text


@pytest.mark.parametrize(
    "declare",
    [
        '<meta charset="gb2312">',
        '<meta http-equiv="Content-Type" content="text/html; charset=GBK">',
        "",
    ],
)
def test_html_gbk_pages(declare: str, tmp_path: Path) -> None:
    body = "<div><p>" + "平潭综合实验区2023年度政府信息公开工作年度报告。" * 10 + "</p>"
    body += "<table><tr><td>一、本年新收政府信息公开申请数量</td><td>５</td></tr></table></div>"
    path = tmp_path / "gbk.html"
    path.write_bytes(_page(body, head=declare).encode("gbk"))
    doc = read_document(path)
    assert doc.format == "html"
    assert "平潭综合实验区" in doc.text
    assert doc.tables[0].text_rows() == [["一、本年新收政府信息公开申请数量", "５"]]


def test_html_densest_container_without_known_class() -> None:
    nav = "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(40))
    body = f"""<div id="menu"><ul>{nav}</ul></div>
    <div id="main"><div class="left">相关链接</div>
      <div class="zoom-text"><p>{"根据《中华人民共和国政府信息公开条例》要求。" * 8}</p>
      <table><tr><td>行政处罚</td><td>12</td></tr></table></div></div>"""
    doc = read_html(_page(body).encode("utf-8"), "dense.html")
    assert "栏目3" not in doc.text and "行政处罚\t12" in doc.text
    assert any("densest" in n for n in doc.notes)


def test_html_layout_table_is_walked_into() -> None:
    inner = "<table><tr><td>行政许可</td><td>7</td></tr></table>"
    body = f'<div class="TRS_Editor"><p>{"正文" * 120}</p><table><tr><td>{inner}</td></tr></table></div>'
    doc = read_html(_page(body).encode("utf-8"), "layout.html")
    assert [t.text_rows() for t in doc.tables] == [[["行政许可", "7"]]]


# ---------------------------------------------------------------------------
# DOCX (generated with python-docx: there is no DOCX in the corpus)


def _table3_docx() -> bytes:
    import docx
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    d.add_paragraph("通过政府网站主动公开信息66条，\u00a0通过微信公众号发布316条。")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=8, cols=6)
    t.cell(0, 0).merge(
        t.cell(1, 2)
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t.cell(0, 3).merge(t.cell(0, 5)).text = "申请人情况"
    for c, label in zip((3, 4, 5), ("自然人", "商业企业", "总计"), strict=True):
        t.cell(1, c).text = label
    t.cell(2, 0).merge(t.cell(2, 2)).text = "一、本年新收政府信息公开申请数量"
    t.cell(3, 0).merge(t.cell(7, 0)).text = "三、本年度办理结果"
    t.cell(3, 1).merge(t.cell(3, 2)).text = "（一）予以公开"
    t.cell(4, 1).merge(t.cell(6, 1)).text = "（五）不予处理"
    for r, label in zip(
        (4, 5, 6), ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物"), strict=True
    ):
        t.cell(r, 2).text = label
    t.cell(7, 1).merge(t.cell(7, 2)).text = "（七）总计"
    numbers = {
        2: ("5", "1", "6"),
        3: ("2", "0", "2"),
        4: ("1", "", "1"),
        5: ("1", "1", "2"),
        6: ("0", "0", "0"),
        7: ("5", "1", "6"),
    }
    for r, vals in numbers.items():
        for k, v in enumerate(vals):
            t.cell(r, 3 + k).text = v
    # A second table whose first row starts one grid column in (w:gridBefore).
    t2 = d.add_table(rows=2, cols=3)
    t2.cell(0, 0).text, t2.cell(0, 1).text, t2.cell(0, 2).text = (
        "信息内容",
        "本年制发件数",
        "本年废止件数",
    )
    row0 = t2.rows[1]._tr
    tr_pr = row0.get_or_add_trPr()
    grid_before = OxmlElement("w:gridBefore")
    grid_before.set(qn("w:val"), "1")
    tr_pr.append(grid_before)
    row0.remove(row0.tc_lst[-1])
    row0.tc_lst[0].append(d.add_paragraph("3")._p)
    row0.tc_lst[1].append(d.add_paragraph("4")._p)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_body_order_and_merged_cells() -> None:
    doc = read_docx(_table3_docx(), "report.docx")
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["TextBlock", "Table", "Table", "TextBlock"]
    assert "通过政府网站主动公开信息66条， 通过微信公众号发布316条。" in doc.blocks[0].text
    t3 = doc.tables[0]
    assert t3.text_rows()[0][:3] == [t3.rows[0][0].text] * 3
    assert [c.spanned for c in t3.rows[0][:4]] == [False, True, True, False]
    assert values(rows_with(doc, "本年新收")[0]) == [5, 1, 6]
    row = rows_with(doc, "2.重复申请")[0]
    assert [c.text for c in row[:3]] == ["三、本年度办理结果", "（五）不予处理", "2.重复申请"]
    assert row[0].spanned and row[1].spanned and not row[2].spanned
    assert values(rows_with(doc, "1.信访举报投诉类申请")[0]) == [1, None, 1]
    assert values(rows_with(doc, "（七）总计")[0]) == [5, 1, 6]


def test_docx_grid_before_shifts_cells() -> None:
    doc = read_docx(_table3_docx(), "report.docx")
    rows = doc.tables[1].text_rows()
    assert rows[0] == ["信息内容", "本年制发件数", "本年废止件数"]
    assert rows[1][1:] == ["3", "4"] and rows[1][0] == ""


def test_docx_via_read_document(tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    path.write_bytes(_table3_docx())
    doc = read_document(path)
    assert doc.format == "docx" and len(doc.tables) == 2


# ---------------------------------------------------------------------------
# Bad input


def _encrypted_pdf() -> bytes:
    """A PDF whose /Encrypt dictionary does not accept the empty user password."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (
        b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<"
        + b"ab" * 16
        + b"> <"
        + b"ab" * 16
        + b">] >>\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.mark.parametrize(
    ("reader", "data", "message"),
    [
        (read_pdf, b"", "empty"),
        (read_pdf, b"%PDF-1.7\nthis is not a pdf at all", "PDF"),
        (read_pdf, (FIX / "js-huaian-hongze-2024.pdf").read_bytes()[:5000], "PDF"),
        (read_pdf, _encrypted_pdf(), "password"),
        (read_docx, b"", "empty"),
        (read_docx, b"PK\x03\x04 truncated zip", "docx"),
        (read_html, b"   ", "empty"),
        (read_image, b"", "empty"),
        (read_image, b"\x89PNG\r\n\x1a\n\x00\x00broken", "image"),
    ],
)
def test_bad_input_raises_read_error(reader, data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        reader(data, "bad")


def test_truncated_docx_raises_read_error() -> None:
    data = _table3_docx()
    with pytest.raises(ReadError):
        read_docx(data[: len(data) // 2], "half.docx")


def test_legacy_doc_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ReadError, match="LibreOffice"):
        read_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc")


# ---------------------------------------------------------------------------
# OCR: a corpus page rendered to an image (the PDF embeds its own fonts)


def _render(page_index: int, scale: float = 2.0, crop: tuple[int, int, int, int] | None = None):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((FIX / "js-huaian-hongze-2023.pdf").read_bytes())
    image = pdf[page_index].render(scale=scale).to_pil()
    pdf.close()
    return image.crop(crop) if crop else image


def test_ocr_image_rebuilds_table_grid() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    buf = io.BytesIO()
    _render(3, crop=(0, 120, 1190, 1000)).save(buf, "PNG")  # tables only: keeps OCR short
    doc = read_image(buf.getvalue(), "page4.png")
    assert any("OCR" in n for n in doc.notes)
    assert len(doc.tables) >= 2
    assert table3_row(doc, "（七）总计") == [21, 0, 0, 0, 0, 0, 21]
    assert table3_row(doc, "重复申请") == [0] * 7
    row = rows_with(doc, "重复申请")[0]
    assert any("不予处理" in c.text and c.spanned for c in row)
    g = gold("js-huaian-hongze-2023")["table4"]
    assert table4_row(doc) == g["review"] + g["litigation_direct"] + g["litigation_after_review"]


def test_scanned_pdf_is_ocred() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    import pypdfium2 as pdfium

    image = _render(3, crop=(140, 620, 1050, 960))  # table 4 of page 4 only
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(image.width * 0.5, image.height * 0.5)
    obj = pdfium.PdfImage.new(pdf)
    obj.set_bitmap(pdfium.PdfBitmap.from_pil(image))
    obj.set_matrix(pdfium.PdfMatrix().scale(image.width * 0.5, image.height * 0.5))
    page.insert_obj(obj)
    page.gen_content()
    buf = io.BytesIO()
    pdf.save(buf)
    doc = read_pdf(buf.getvalue(), "scan.pdf")
    assert any("OCR" in n for n in doc.notes)
    g = gold("js-huaian-hongze-2023")["table4"]
    assert table4_row(doc) == g["review"] + g["litigation_direct"] + g["litigation_after_review"]


# ---------------------------------------------------------------------------
# Debug script


def test_dump_document_script() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "dump_document.py"),
            str(FIX / "js-huaian-hongze-2024.pdf"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "table #1" in out and "（七）总计" in out and "^三、本年度办理结果" in out


def test_table_model_helpers_unchanged() -> None:
    t = Table(rows=[[Cell(0, 0, "a"), Cell(0, 1, "a", spanned=True)]], index=0)
    assert Document(path="x", format="html", blocks=[t]).text == "a"


def test_pdf_stitch_drops_repeated_header_and_joins_cut_label() -> None:
    """Unit check of page stitching on synthetic cell boxes (no corpus PDF repeats its
    header): the continuation's repeated header row is dropped and the fragment label
    under the break joins the merged cell above it."""
    from pipeline.readers.pdf import _assemble, _Box, _PdfTable

    def row(y: float, texts: list[str], x0: float) -> list[_Box]:
        xs = [x0, x0 + 40, x0 + 120, x0 + 160, x0 + 200]
        return [_Box(xs[i], y, xs[i + 1], y + 20, t) for i, t in enumerate(texts) if t is not None]

    def header(y: float, x0: float) -> list[_Box]:
        return [_Box(x0, y, x0 + 120, y + 20, "项目"), *row(y, [None, None, "自然人", "总计"], x0)]

    # Page 1: header, then a group cell "（四）无" spanning the last two rows.
    prev_boxes = [
        *header(700, 50),
        _Box(50, 720, 90, 760, "（四）无"),
        *row(720, [None, "1.本机关不掌握", "1", "1"], 50),
        *row(740, [None, "x", "0", "0"], 50),
    ]
    prev = _PdfTable(prev_boxes, page=1, top=700, bottom=760, page_height=842, x0=50, x1=250)
    # Page 2, shifted 2 pt: the header again, then the rest of the group cell.
    cont_boxes = [*header(60, 52), *row(80, ["法提供", "2.没有现成信息", "2", "2"], 52)]
    cont = _PdfTable(cont_boxes, page=2, top=60, bottom=100, page_height=842, x0=52, x1=252)
    (table,) = _assemble([[prev], [cont]])
    rows = table.text_rows()
    assert len(rows) == 4 and sum(r[2] == "自然人" for r in rows) == 1
    assert rows[-1] == ["（四）无法提供", "2.没有现成信息", "2", "2"]
    assert rows[1][0] == "（四）无法提供" and table.rows[-1][0].spanned
