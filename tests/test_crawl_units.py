"""Unit tests of the crawler's pieces: sources, robots, links, sniffing, names, state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from crawl_fixtures.portal import DOCX, PDF, PNG

from pipeline.crawl.crawler import content_disposition_name, safe_filename
from pipeline.crawl.fetch import parse_retry_after
from pipeline.crawl.links import (
    attachment_ext,
    decode_page,
    extract_links,
    is_content_image,
    looks_like_report,
)
from pipeline.crawl.robots import effective_delay, from_response
from pipeline.crawl.sniff import sniff
from pipeline.crawl.sources import SourceError, host_allowed, load_sources, source_from_dict
from pipeline.crawl.state import LOG_SCHEMA, append_log, current_documents, load_state

REPO = Path(__file__).resolve().parent.parent

# -- sources ----------------------------------------------------------------------


def test_shipped_sources_load():
    sources = {s.id: s for s in load_sources(REPO / "data" / "sources.toml")}
    assert {"sd-weihai-wendeng", "sd-qingdao-xihaian"} <= set(sources)
    wendeng = sources["sd-weihai-wendeng"]
    assert wendeng.region == "371003" and wendeng.enabled
    assert any(
        r.search("http://www.wendeng.gov.cn/col/col79327/index.html") for r in wendeng.follow_re
    )
    assert wendeng.reports_re is None  # detected by link text
    assert all(s.delay_s >= 1 for s in sources.values())


def test_source_defaults_and_validation():
    s = source_from_dict(
        {"id": "x", "name": "X", "region": "370000", "start_urls": "https://www.sd.gov.cn/"}
    )
    assert s.allow == ("*.gov.cn",) and s.start_urls == ("https://www.sd.gov.cn/",)
    assert s.enabled and s.reports is None and s.max_pages > 0
    with pytest.raises(SourceError, match="outside allow"):
        source_from_dict({"id": "x", "name": "X", "region": "r", "start_urls": ["https://a.com/"]})
    with pytest.raises(SourceError, match="unknown keys"):
        source_from_dict(
            {"id": "x", "name": "X", "region": "r", "start_urls": ["https://a.gov.cn/"], "dely": 1}
        )
    with pytest.raises(SourceError, match="bad regex"):
        source_from_dict(
            {
                "id": "x",
                "name": "X",
                "region": "r",
                "start_urls": ["https://a.gov.cn/"],
                "follow": ["("],
            }
        )


def test_host_allowed():
    allow = ("*.gov.cn", "127.0.0.1")
    assert host_allowed("http://www.wendeng.gov.cn/a", allow)
    assert host_allowed("https://gov.cn/", allow)
    assert host_allowed("http://127.0.0.1:8080/x", allow)
    assert not host_allowed("http://evilgov.cn/", allow)
    assert not host_allowed("http://www.gov.cn.evil.com/", allow)
    assert not host_allowed("ftp://www.sd.gov.cn/x", allow)
    assert not host_allowed("http://localhost/x", allow)


# -- robots -----------------------------------------------------------------------

ROBOTS = b"""User-agent: *
Disallow: /private/
Allow: /private/public*.html$
Disallow: /*.php$
Crawl-delay: 3

User-agent: ogi-warehouse
Disallow: /x/
Allow: /x/ok/
"""


def test_robots_longest_match_and_wildcards():
    robots = from_response(200, ROBOTS)
    # Our own group applies, not the * group (RFC 9309: the most specific group).
    assert not robots.can_fetch("http://h/x/1.html")
    assert robots.can_fetch("http://h/x/ok/1.html")  # Allow is longer: it wins
    assert robots.can_fetch("http://h/private/a.html")  # * rules do not apply to us
    star = from_response(200, ROBOTS.split(b"User-agent: ogi")[0])
    assert not star.can_fetch("http://h/private/a.html")
    assert star.can_fetch("http://h/private/public1.html")
    assert not star.can_fetch("http://h/private/public1.htmlx")  # $ anchors
    assert not star.can_fetch("http://h/index.php")
    assert star.can_fetch("http://h/index.php?x=1")
    assert effective_delay(1.0, star) == 3.0
    assert effective_delay(5.0, star) == 5.0


def test_robots_failure_cases():
    assert from_response(404, b"").can_fetch("http://h/anything")
    assert not from_response(503, b"").can_fetch("http://h/anything")
    unreachable = from_response(None, b"")
    assert not unreachable.can_fetch("http://h/") and not unreachable.reachable


# -- links --------------------------------------------------------------------------


def test_hanweb_cdata_records_and_trs_pager():
    html = """<html><body><script type="text/xml"><recordset>
    <record><![CDATA[<li><a href="/art/2024/1/22/art_1_2.html" title="某镇2023年政府信息公开工作年度报告">某镇…</a></li>]]></record>
    </recordset></script>
    <script>var countPage = 3; createPageHTML(countPage, 0, "index", "shtml");</script>
    <a href="javascript:void(0)">x</a><a href="#top">top</a><a href="mailto:a@b.cn">m</a>
    </body></html>"""
    links = extract_links(html, "http://www.x.gov.cn/col/col1/index.html")
    urls = [link.url for link in links]
    assert "http://www.x.gov.cn/art/2024/1/22/art_1_2.html" in urls
    record = next(link for link in links if link.url.endswith("art_1_2.html"))
    assert looks_like_report(record.text)  # title attribute included
    assert "http://www.x.gov.cn/col/col1/index_1.shtml" in urls
    assert "http://www.x.gov.cn/col/col1/index_2.shtml" in urls
    assert len(urls) == 4  # javascript:, #, mailto: dropped


def test_base_href_and_relative_trs_links():
    html = '<html><head><base href="http://www.y.gov.cn/xxgk/"></head><body><a href="./202401/t20240101_1.html">r</a></body></html>'
    (link,) = extract_links(html, "http://www.y.gov.cn/other/page.html")
    assert link.url == "http://www.y.gov.cn/xxgk/202401/t20240101_1.html"


def test_report_link_text():
    assert looks_like_report("威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报告")
    assert looks_like_report("2022年度政府信息公开工作年报")
    assert looks_like_report("…2023年政府信息公开工作年度报…")
    assert not looks_like_report("2023年政府工作报告")
    assert not looks_like_report("政府信息公开指南")


def test_attachment_names():
    assert attachment_ext("http://h/P020240125381234567890.pdf") == ".pdf"
    assert (
        attachment_ext("http://h/module/download/downfile.jsp?classid=0&filename=a.DOCX") == ".docx"
    )
    assert attachment_ext("http://h/a/b.wps") == ".wps"
    assert attachment_ext("http://h/art/1.html") is None
    from pipeline.crawl.links import Link

    assert is_content_image(Link("http://h/xxgk/202401/W020240125.png", "", "img"))
    assert not is_content_image(Link("http://h/images/logo.png", "", "img"))


def test_decoding_gbk_declared_or_not():
    text = "青岛西海岸新区大场镇人民政府2023年政府信息公开工作年度报告 镕"
    gbk = f"<html><body>{text}</body></html>".encode("gb18030")
    assert text in decode_page(gbk, None)
    assert text in decode_page(gbk, "text/html; charset=gb2312")  # read as GB18030
    meta = f'<html><head><meta charset="gbk"></head><body>{text}</body></html>'.encode("gbk")
    assert text in decode_page(meta, "text/html")
    assert text in decode_page(f"<p>{text}</p>".encode(), "text/html; charset=utf-8")
    # A wrong declaration (GBK header on a UTF-8 page) must not produce mojibake.
    assert text in decode_page(f"<p>{text}</p>".encode(), "text/html; charset=gbk")


# -- sniffing and names --------------------------------------------------------------


def test_sniffing_ignores_what_the_server_says():
    assert sniff(PDF) == "application/pdf"
    assert sniff(DOCX).endswith("wordprocessingml.document")
    assert sniff(PNG) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert sniff(ole, "a.wps") == "application/vnd.ms-works"
    assert sniff(ole, "a.doc") == "application/msword"
    assert sniff(b"<!DOCTYPE html><html>") == "text/html"
    assert sniff(b"  \n<html lang=zh>") == "text/html"
    assert sniff(b'<a href="/x.html">x</a>') == "text/html"
    assert sniff(b"<abbr>plain text</abbr>") == "text/plain"
    assert sniff("年度报告".encode()) == "text/plain"


def test_file_names_never_become_paths():
    assert safe_filename("../../../../etc/evil.pdf") == "evil.pdf"
    assert safe_filename("..\\..\\windows\\x.doc") == "x.doc"
    assert safe_filename("%2e%2e%2fa%2fb.pdf") == "b.pdf"
    assert safe_filename("..") == ""
    header = "attachment; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"
    assert content_disposition_name(header) == "年度报告.pdf"
    raw = "年度报告.pdf".encode("gbk").decode("latin-1")  # how httpx hands raw GBK over
    assert content_disposition_name(f'attachment; filename="{raw}"') == "年度报告.pdf"


def test_retry_after():
    assert parse_retry_after("3") == 3.0
    now = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# -- state ---------------------------------------------------------------------------


def _row(**kw) -> dict:
    base = {k: None for k in LOG_SCHEMA}
    base.update(source_id="s", is_document=True, not_modified=False, changed=True)
    base.update(kw)
    return base


def test_state_and_current_documents(tmp_path):
    t = [datetime(2025, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    append_log(
        tmp_path,
        "s",
        [
            _row(url="u", sha256="a", etag='"1"', fetched_at=t[0], kind="report_page"),
            _row(url="v", sha256=None, error="HTTP 503", fetched_at=t[0], kind="attachment"),
        ],
    )
    append_log(
        tmp_path,
        "s",
        [
            _row(url="u", sha256="b", etag='"2"', fetched_at=t[1], kind="report_page"),
            _row(
                url="u",
                sha256="b",
                etag='"2"',
                fetched_at=t[2],
                kind="report_page",
                not_modified=True,
            ),
        ],
    )
    state = load_state(tmp_path, "s")
    assert set(state) == {"u"} and state["u"].etag == '"2"' and state["u"].sha256 == "b"
    docs = current_documents(tmp_path)
    assert docs.height == 1
    doc = docs.row(0, named=True)
    assert doc["sha256"] == "b" and doc["superseded"] == ["a"]
