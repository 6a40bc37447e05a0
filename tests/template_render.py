"""Render hand-verified values into the national template's tables as DOCX or HTML.

The layout follows 国办公开办函〔2019〕60号 / 〔2021〕30号 as agencies print it: merged
header cells, group labels merged down the rows they cover (三、本年度办理结果, （三）不予
公开 …), blocks of table 2 under merged 第二十条 headings. Tests use it to put the
values of real reports into shapes the corpus does not have (a Word file with real
merged cells, an HTML page with <th> headers) and check that the parser reads every
value back. A null value renders as an empty cell.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


Grid = list[list[Cell]]  # rows of the cells that start in them (HTML-style)


def _v(value: Any) -> str:
    return "" if value is None else str(value)


def table2(gold: dict[str, Any]) -> Grid:
    t2, extra = gold["table2"], gold.get("table2_2019_extra")
    rows: Grid = []

    def block(title: str, headers: list[str], body: list[tuple[str, list[Any]]]) -> None:
        rows.append([Cell(title, colspan=4, header=True)])
        span = 3 // len(headers)
        rows.append(
            [Cell("信息内容", header=True)]
            + [
                Cell(h, colspan=span if i < len(headers) - 1 else 3 - span * i, header=True)
                for i, h in enumerate(headers)
            ]
        )
        for label, values in body:
            rows.append(
                [Cell(label)]
                + [
                    Cell(_v(v), colspan=span if i < len(values) - 1 else 3 - span * i)
                    for i, v in enumerate(values)
                ]
            )

    def triple(row: dict[str, Any] | None, keys: tuple[str, ...]) -> list[Any]:
        return [None if row is None else row.get(k) for k in keys]

    if extra is None:  # 2021 layout
        keys = ("issued", "repealed", "in_force")
        block(
            "第二十条第（一）项",
            ["本年制发件数", "本年废止件数", "现行有效件数"],
            [
                ("规章", triple(t2["regulations"], keys)),
                ("行政规范性文件", triple(t2["normative_documents"], keys)),
            ],
        )
        block("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", [t2["licensing"]])])
        block(
            "第二十条第（六）项",
            ["本年处理决定数量"],
            [("行政处罚", [t2["penalty"]]), ("行政强制", [t2["coercion"]])],
        )
        block(
            "第二十条第（八）项",
            ["本年收费金额（单位：万元）"],
            [("行政事业性收费", [t2["fees_10k_yuan"]])],
        )
        return rows
    keys = ("new_made", "new_published", "total_published")
    block(
        "第二十条第（一）项",
        ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [
            ("规章", triple(t2["regulations"], keys)),
            ("规范性文件", triple(t2["normative_documents"], keys)),
        ],
    )
    items = ("上一年项目数量", "本年增/减", "处理决定数量")

    def item_row(key: str, decisions: Any) -> list[Any]:
        row = extra.get(key) or {}
        return [row.get("prev_year_items"), row.get("change"), decisions]

    block(
        "第二十条第（五）项",
        list(items),
        [
            ("行政许可", item_row("licensing", t2["licensing"])),
            (
                "其他对外管理服务事项",
                item_row(
                    "other_admin_services",
                    (extra.get("other_admin_services") or {}).get("decisions"),
                ),
            ),
        ],
    )
    block(
        "第二十条第（六）项",
        list(items),
        [
            ("行政处罚", item_row("penalty", t2["penalty"])),
            ("行政强制", item_row("coercion", t2["coercion"])),
        ],
    )
    fees = extra.get("fees") or {}
    block(
        "第二十条第（八）项",
        ["上一年项目数量", "本年增/减"],
        [("行政事业性收费", [fees.get("prev_year_items"), fees.get("change")])],
    )
    proc = extra.get("procurement")
    if proc is not None:  # null in the gold: the block is not printed
        block(
            "第二十条第（九）项",
            ["采购项目数量", "采购总金额"],
            [("政府集中采购", [proc.get("items"), proc.get("amount")])],
        )
    return rows


_T3_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "（三）不予公开",
        (
            ("denied_state_secret", "1.属于国家秘密"),
            ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
            ("denied_three_safety_stability", "3.危及“三安全一稳定”"),
            ("denied_third_party", "4.保护第三方合法权益"),
            ("denied_internal_affairs", "5.属于三类内部事务信息"),
            ("denied_process_info", "6.属于四类过程性信息"),
            ("denied_enforcement_file", "7.属于行政执法案卷"),
            ("denied_query_matter", "8.属于行政查询事项"),
        ),
    ),
    (
        "（四）无法提供",
        (
            ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
            ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
            ("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确"),
        ),
    ),
    (
        "（五）不予处理",
        (
            ("not_processed_petition", "1.信访举报投诉类申请"),
            ("not_processed_repeat", "2.重复申请"),
            ("not_processed_publication", "3.要求提供公开出版物"),
            ("not_processed_mass_repeat", "4.无正当理由大量反复申请"),
            ("not_processed_confirm_existing", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    (
        "（六）其他处理",
        (
            (
                "other_overdue_correction",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                "other_overdue_fee",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            ("other_other", "3.其他"),
        ),
    ),
)


def table3(gold: dict[str, Any]) -> Grid:
    t3 = gold["table3"]

    def values(key: str) -> list[Cell]:
        row = t3.get(key) or [None] * 7
        return [Cell(_v(v)) for v in row]

    rows: Grid = [
        [
            Cell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                colspan=3,
                header=True,
            ),
            Cell("申请人情况", colspan=7, header=True),
        ],
        [
            Cell("自然人", rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell("总计", rowspan=2, header=True),
        ],
        [Cell(a, header=True) for a in APPLICANTS[1:6]],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *values("new")],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *values("carried_over")],
    ]
    single_other = t3.get("other") is not None
    body: Grid = [
        [Cell("（一）予以公开", colspan=2), *values("granted")],
        [
            Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2),
            *values("partial"),
        ],
    ]
    for group, items in _T3_GROUPS:
        if group.startswith("（六）") and single_other:
            body.append([Cell("（六）其他处理", colspan=2), *values("other")])
            continue
        for i, (key, label) in enumerate(items):
            lead = [Cell(group, rowspan=len(items))] if i == 0 else []
            body.append([*lead, Cell(label), *values(key)])
    body.append([Cell("（七）总计", colspan=2), *values("total")])
    body[0].insert(0, Cell("三、本年度办理结果", rowspan=len(body)))
    rows += body
    rows.append([Cell("四、结转下年度继续办理", colspan=3), *values("carried_forward")])
    return rows


def table4(gold: dict[str, Any]) -> Grid:
    t4 = gold["table4"]
    rows: Grid = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [
            *(Cell(r, rowspan=2, header=True) for r in RESULTS),
            Cell("未经复议直接起诉", colspan=5, header=True),
            Cell("复议后起诉", colspan=5, header=True),
        ],
        [Cell(r, header=True) for r in RESULTS * 2],
        [
            Cell(_v(v))
            for key in ("review", "litigation_direct", "litigation_after_review")
            for v in (t4.get(key) or [None] * 5)
        ],
    ]
    return rows


SECTIONS = (
    ("二、主动公开政府信息情况", table2),
    ("三、收到和处理政府信息公开申请情况", table3),
    ("四、政府信息公开行政复议、行政诉讼情况", table4),
)


def _title(gold: dict[str, Any]) -> str:
    return f"{gold.get('agency') or '某某县人民政府'}{gold['year']}年政府信息公开工作年度报告"


# --------------------------------------------------------------------------- writers

Relabel = Callable[[str], str]  # how one agency prints a label (numbers pass through)


def _same(text: str) -> str:
    return text


def to_html(gold: dict[str, Any], relabel: Relabel = _same) -> str:
    parts = [
        f"<html><head><meta charset='utf-8'><title>{html.escape(_title(gold))}</title></head><body>",
        "<div class='nav'><a href='/'>首页</a> &gt; 政务公开</div><div class='article'>",
        f"<h1>{html.escape(_title(gold))}</h1><p>一、总体情况</p><p>本机关依法做好政府信息公开工作。</p>",
    ]
    for heading, build in SECTIONS:
        parts.append(f"<p>{heading}</p><table border='1'>")
        for row in build(gold):
            parts.append("<tr>")
            for c in row:
                tag = "th" if c.header else "td"
                span = (f" rowspan='{c.rowspan}'" if c.rowspan > 1 else "") + (
                    f" colspan='{c.colspan}'" if c.colspan > 1 else ""
                )
                parts.append(
                    f"<{tag}{span}>{html.escape(relabel(c.text)).replace(chr(10), '<br>') if c.text else '&nbsp;'}</{tag}>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    parts.append(
        "<p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>"
    )
    parts.append("</div><div class='footer'>版权所有</div></body></html>")
    return "".join(parts)


def _place(grid: Grid) -> tuple[int, int, list[tuple[int, int, Cell]]]:
    """Absolute (row, col) of every cell start, HTML table layout rules."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return len(grid), width, placed


def to_docx(gold: dict[str, Any], relabel: Relabel = _same) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(_title(gold))
    d.add_paragraph("一、总体情况")
    d.add_paragraph("本机关依法做好政府信息公开工作。")
    for heading, build in SECTIONS:
        d.add_paragraph(heading)
        n_rows, n_cols, placed = _place(build(gold))
        table = d.add_table(rows=n_rows, cols=n_cols)
        table.style = "Table Grid"
        for r, c, cell in placed:
            target = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = relabel(cell.text)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("六、其他需要报告的事项")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def to_pdf(gold: dict[str, Any], relabel: Relabel = _same, filler: int = 0) -> bytes:
    """A text-layer PDF with ruled tables (reportlab, the Adobe STSong-Light CID font).

    `filler` paragraphs of narrative push table 3 down so that it breaks across a
    page; its three header rows repeat on the next page, as Word prints them.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10.5, leading=16)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=8.5)
    story: list[Any] = [Paragraph(_title(gold), body), Paragraph("一、总体情况", body)]
    story += [Paragraph("本机关依法做好政府信息公开工作，" * 12, body) for _ in range(filler)]
    for heading, build in SECTIONS:
        story.append(Paragraph(heading, body))
        n_rows, n_cols, placed = _place(build(gold))
        data: list[list[Any]] = [[""] * n_cols for _ in range(n_rows)]
        spans = []
        for r, c, item in placed:
            data[r][c] = Paragraph(html.escape(relabel(item.text)).replace("\n", "<br/>"), cell)
            if item.rowspan > 1 or item.colspan > 1:
                spans.append(("SPAN", (c, r), (c + item.colspan - 1, r + item.rowspan - 1)))
        if n_cols == 10:  # table 3: result group, outcome group, item label, 7 columns
            widths = [30.0, 45.0, 135.0] + [31.0] * 7
        elif n_cols == 15:  # table 4
            widths = [28.0] * 15
        else:  # table 2: label and three value columns
            widths = [130.0] + [100.0] * (n_cols - 1)
        table = Table(data, colWidths=widths, repeatRows=3 if n_cols == 10 else 0)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), *spans]))
        story.append(table)
    story.append(Paragraph("五、存在的主要问题及改进情况", body))
    story.append(Paragraph("六、其他需要报告的事项", body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()
