"""A fake government portal on 127.0.0.1 for the crawler tests.

Two site styles share one server: a Hanweb-style column (`/col/col100/index.html`,
records in `<script type="text/xml">` CDATA, `?uid=1&pageNum=2` pagination,
`/art/Y/M/D/art_N_N.html` pages, `downfile.jsp?filename=` downloads) and a TRS-style
column (`/xxgk/nb/index.html` with `createPageHTML` pagination, `./YYYYMM/tYYYYMMDD_N.html`
pages in GBK, `./P0….pdf` attachments). Around them sit the faults the crawler must
survive: robots.txt rules, a flaky 503, a slow file, a redirect loop, oversized and
truncated files, a 404, and links to a host outside `allow`.

Every request is recorded (path, headers, time) so tests can assert on what was
asked, and on what never was.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).parent
PDF = (HERE.parent / "fixtures" / "readers" / "js-huaian-hongze-2024.pdf").read_bytes()
DOCX = (HERE / "report.docx").read_bytes()
LAST_MODIFIED = formatdate(1706000000, usegmt=True)  # fixed: attachments never change


def tiny_png() -> bytes:
    """A real 1x1 PNG, built here rather than committed."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


PNG = tiny_png()

ROBOTS = """User-agent: *
Disallow: /private/
Allow: /private/open/
Disallow: /*.php$

User-agent: some-other-bot
Disallow: /
"""

HANWEB_P1 = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/col/col999/index.html">机构概况</a></div>
<div id="100"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=100"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/1/22/art_100_1.html" title="威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报告" target="_blank">威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报…</a><span>2024-01-22</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/10/art_100_2.html" target="_blank">关于做好春节期间安全生产工作的通知</a></li>]]></record>
<record><![CDATA[<li><a href="/private/art_100_7.html">文登区某局2023年政府信息公开工作年度报告</a></li>]]></record>
<record><![CDATA[<li><a href="/private/open/art_100_9.html">文登区某街道2023年政府信息公开工作年度报告</a></li>]]></record>
<record><![CDATA[<li><a href="{outside}/art/2024/1/1/art_1_1.html">外省某县2023年政府信息公开工作年度报告</a></li>]]></record>
<record><![CDATA[<li><a href="/search.php">政府信息公开年报检索</a></li>]]></record>
</recordset></datastore></script></div>
<div class="page"><a href="/col/col100/index.html?uid=1&amp;pageNum=2">下一页</a>
<a href="/col/col100/index.html?uid=1&amp;pageNum=2">尾页</a></div>
</body></html>"""

HANWEB_P2 = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script type="text/xml"><datastore><recordset>
<record><![CDATA[<li><a href="/art/2023/3/1/art_100_4.html">文登区2022年度政府信息公开工作年报</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/1/20/art_100_5.html">文登区2021年度政府信息公开工作年度报告</a></li>]]></record>
</recordset></datastore></script>
<div class="page"><a href="/col/col100/index.html?uid=1&amp;pageNum=1">首页</a></div>
</body></html>"""

REPORT_UTF8 = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报告">
<title>威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报告</title></head><body>
<img src="/images/logo.png"><div class="main">
<h1>威海市文登区大水泊镇人民政府2023年政府信息公开工作年度报告</h1>
<p>一、总体情况 2023年，通过政府网站主动公开信息66条。</p>
<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename=2401221530.pdf">年度报告.pdf</a>
<a href="/attach/0/report.docx">年度报告.docx</a></p></div></body></html>"""

REPORT_FAULTS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<h1>文登区2022年度政府信息公开工作年报</h1>
<p>附件：
<a href="/files/flaky.pdf">flaky</a> <a href="/files/slow.pdf">slow</a>
<a href="/files/loop.pdf">loop</a> <a href="/files/big.pdf">big</a>
<a href="/files/big-chunked.pdf">big chunked</a> <a href="/files/missing.pdf">missing</a>
<a href="/files/truncated-once.pdf">truncated once</a> <a href="/files/truncated.docx">truncated</a>
<a href="/files/go-out.pdf">go out</a> <a href="{outside}/files/outside.pdf">outside</a>
</p></body></html>"""

REPORT_2021 = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<h1>文登区2021年度政府信息公开工作年度报告</h1><p>{version}</p></body></html>"""

REPORT_OPEN = """<html><head><meta charset="utf-8"></head><body>
<h1>文登区某街道2023年政府信息公开工作年度报告</h1></body></html>"""

TRS_INDEX = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>
<ul class="list">
<li><a href="./202401/t20240125_501.html" target="_blank">青岛西海岸新区大场镇人民政府2023年政府信息公开工作年度报告</a></li>
<li><a href="./202401/t20240110_502.html">大场镇关于征集意见的公告</a></li>
</ul>
<script>var currentPage = 0; var countPage = 2;
createPageHTML(countPage, currentPage, "index", "html");</script>
</body></html>"""

TRS_INDEX_1 = """<html><head><meta charset="utf-8"></head><body>
<ul class="list"><li><a href="./202301/t20230130_400.html">大场镇2022年政府信息公开工作年度报告</a></li></ul>
</body></html>"""

# GBK with no charset anywhere (neither header nor meta): the crawler has to notice.
TRS_REPORT_GBK = """<html><head><title>青岛西海岸新区大场镇人民政府2023年政府信息公开工作年度报告</title></head>
<body><div class="TRS_Editor"><p>青岛西海岸新区大场镇人民政府2023年政府信息公开工作年度报告</p>
<p>附件：<a href="./P020240125381234567890.pdf">大场镇2023年政府信息公开工作年度报告.pdf</a></p>
<p><img src="./W020240125381234567891.png"></p></div>
<img src="/images/qrcode.png"></body></html>"""

TRS_REPORT_GB2312 = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
<body><p>大场镇2022年政府信息公开工作年度报告 — 镕</p>
<p><a href="./P020230130999.docx">附件</a></p></body></html>"""


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    status: int = 0


@dataclass
class PortalState:
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    flaky_calls: int = 0
    truncated_once_calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    version: str = "第一版"  # the 2021 report's body; tests change it to force a re-fetch

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()


class Portal:
    """A running fixture server; `url` is its base, `outside` a second, forbidden host."""

    def __init__(self, outside: str = "http://localhost:9") -> None:
        self.state = PortalState()
        self.outside = outside
        handler = _make_handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Portal:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def _make_handler(portal: Portal) -> type[BaseHTTPRequestHandler]:
    state = portal.state

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
            with state.lock:
                state.hits.append(hit)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                hit.status = self.route(hit)
            finally:
                with state.lock:
                    state.in_flight -= 1

        # -- helpers ------------------------------------------------------------

        def send(
            self,
            status: int,
            body: bytes = b"",
            ctype: str | None = "text/html",
            headers: dict[str, str] | None = None,
            validators: str = "etag",
        ) -> int:
            headers = dict(headers or {})
            if status == 200 and validators == "etag":
                tag = _etag(body)
                headers["ETag"] = tag
                if self.headers.get("If-None-Match") == tag:
                    return self.send(304, b"", None, {"ETag": tag}, validators="")
            if status == 200 and validators == "last-modified":
                headers["Last-Modified"] = LAST_MODIFIED
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    return self.send(304, b"", None, {}, validators="")
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                # The crawler may hang up first (timeout, size limit): its choice.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)
            return status

        def html(self, text: str, charset: str | None = "utf-8", encoding: str = "utf-8") -> int:
            ctype = f"text/html; charset={charset}" if charset else "text/html"
            body = text.format(outside=portal.outside, version=state.version).encode(encoding)
            return self.send(200, body, ctype)

        # -- the site -----------------------------------------------------------

        def route(self, hit: Hit) -> int:  # noqa: C901 (a routing table)
            path = self.path
            if path == "/robots.txt":
                return self.send(200, ROBOTS.encode(), "text/plain", validators="")
            if path in ("/col/col100/index.html", "/col/col100/index.html?uid=1&pageNum=1"):
                return self.html(HANWEB_P1)
            if path == "/col/col100/index.html?uid=1&pageNum=2":
                return self.html(HANWEB_P2)
            if path == "/art/2024/1/22/art_100_1.html":
                return self.html(REPORT_UTF8)
            if path == "/art/2023/3/1/art_100_4.html":
                return self.html(REPORT_FAULTS)
            if path == "/art/2022/1/20/art_100_5.html":
                return self.html(REPORT_2021)
            if path == "/private/open/art_100_9.html":
                return self.html(REPORT_OPEN)
            if path.startswith("/module/download/downfile.jsp"):
                # A PDF declared as a generic download, with a hostile file name.
                return self.send(
                    200,
                    PDF,
                    "application/octet-stream",
                    {"Content-Disposition": 'attachment; filename="../../../../etc/evil.pdf"'},
                    validators="last-modified",
                )
            if path == "/attach/0/report.docx":
                # A DOCX the server calls HTML: the crawler must sniff, not trust.
                return self.send(200, DOCX, "text/html", validators="last-modified")
            if path == "/files/flaky.pdf":
                with state.lock:
                    state.flaky_calls += 1
                    first = state.flaky_calls == 1
                if first:
                    return self.send(503, b"busy", "text/plain", {"Retry-After": "1"})
                return self.send(200, PDF + b"%flaky", "application/pdf")
            if path == "/files/slow.pdf":
                time.sleep(1.5)
                return self.send(200, PDF, "application/pdf")
            if path == "/files/loop.pdf":
                return self.send(302, b"", None, {"Location": "/files/loop2.pdf"})
            if path == "/files/loop2.pdf":
                return self.send(302, b"", None, {"Location": "/files/loop.pdf"})
            if path == "/files/go-out.pdf":
                return self.send(302, b"", None, {"Location": f"{portal.outside}/files/x.pdf"})
            if path == "/files/big.pdf":
                return self.send(200, b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), "application/pdf")
            if path == "/files/big-chunked.pdf":
                return self.chunked(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
            if path == "/files/truncated-once.pdf":
                with state.lock:
                    state.truncated_once_calls += 1
                    first = state.truncated_once_calls == 1
                body = PDF + b"%truncated-once"
                return self.truncated(body) if first else self.send(200, body, "application/pdf")
            if path == "/files/truncated.docx":
                return self.truncated(DOCX)
            if path == "/xxgk/nb/index.html":
                return self.html(TRS_INDEX)
            if path == "/xxgk/nb/index_1.html":
                return self.html(TRS_INDEX_1)
            if path == "/xxgk/nb/202401/t20240125_501.html":
                return self.html(TRS_REPORT_GBK, charset=None, encoding="gbk")
            if path == "/xxgk/nb/202301/t20230130_400.html":
                return self.html(TRS_REPORT_GB2312, charset=None, encoding="gb18030")
            if path == "/xxgk/nb/202401/P020240125381234567890.pdf":
                return self.send(200, PDF, "application/pdf", validators="last-modified")
            if path == "/xxgk/nb/202401/W020240125381234567891.png":
                return self.send(200, PNG, "image/png", validators="last-modified")
            if path == "/xxgk/nb/202301/P020230130999.docx":
                return self.send(200, DOCX, "application/octet-stream", validators="last-modified")
            return self.send(404, b"<html>404</html>")

        def chunked(self, body: bytes) -> int:
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for i in range(0, len(body), 65536):
                    piece = body[i : i + 65536]
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up at its size limit, as it should
            return 200

        def truncated(self, body: bytes) -> int:
            """Promise the whole body, send half, hang up."""
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return 200

    return Handler
