"""The crawler against a fake portal on 127.0.0.1 (tests/crawl_fixtures/portal.py).

One first crawl and one second crawl are run per module (fixtures below); each test
asserts one behaviour on their logs, the archive and the server's record of requests.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import polars as pl
import pytest
from crawl_fixtures.portal import DOCX, PDF, Portal

from pipeline.archive import sha256_bytes
from pipeline.crawl import (
    LOG_SCHEMA,
    Fetcher,
    crawl_source,
    current_documents,
    load_sources,
    read_log,
    run_crawl,
)
from pipeline.crawl.sources import source_from_dict

SOURCES = """
[[source]]
id = "hanweb"
name = "文登区 (fixture, Hanweb-style)"
region = "371003"
start_urls = ["{base}/col/col100/index.html"]
allow = ["127.0.0.1"]
follow = ['/col/col100/index\\.html\\?uid=\\d+&pageNum=\\d+$']
max_pages = 60
delay_s = 0.02
timeout_s = 0.8
connect_timeout_s = 0.5
retries = 2
backoff_s = 0.05
max_bytes = 1_000_000
concurrency = 2

[[source]]
id = "trs"
name = "大场镇 (fixture, TRS-style)"
region = "青岛西海岸新区"
start_urls = ["{base}/xxgk/nb/index.html"]
allow = ["127.0.0.1"]
follow = ['/xxgk/nb/index(_\\d+)?\\.html$']
reports = ['/t\\d{{8}}_\\d+\\.html$']
max_pages = 30
delay_s = 0.02
timeout_s = 0.8
retries = 2
backoff_s = 0.05
max_bytes = 1_000_000

[[source]]
id = "down"
name = "unreachable portal"
region = "370000"
start_urls = ["http://127.0.0.1:{closed}/index.html"]
allow = ["127.0.0.1"]
delay_s = 0.02
connect_timeout_s = 0.5
retries = 3
backoff_s = 0.05

[[source]]
id = "off"
name = "disabled portal"
region = "370000"
start_urls = ["{base}/xxgk/nb/index.html"]
allow = ["127.0.0.1"]
enabled = false
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def servers():
    with Portal() as outside, Portal(outside=f"http://localhost:{outside.port}") as portal:
        yield portal, outside


@pytest.fixture(scope="module")
def env(servers, tmp_path_factory):
    portal, _ = servers
    root = tmp_path_factory.mktemp("crawl")
    sources = root / "sources.toml"
    sources.write_text(SOURCES.format(base=portal.url, closed=closed_port()), encoding="utf-8")
    return {"sources": sources, "archive": root / "archive", "staging": root / "staging"}


@pytest.fixture(scope="module")
def first(servers, env):
    portal, outside = servers
    started = time.monotonic()
    with Fetcher(trust_env=False) as fetcher:
        results = run_crawl(
            env["sources"], env["archive"], env["staging"], fetcher=fetcher, echo=lambda _: None
        )
    elapsed = time.monotonic() - started
    hits = list(portal.state.hits)
    return {
        "results": {r.source_id: r for r in results},
        "elapsed": elapsed,
        "hits": hits,
        "paths": [h.path for h in hits],
        "outside_hits": outside.state.paths(),
        "log": pl.concat([read_log(env["staging"], s) for s in ("hanweb", "trs", "down")]),
        "max_in_flight": portal.state.max_in_flight,
    }


@pytest.fixture(scope="module")
def second(servers, env, first):
    portal, outside = servers
    portal.state.clear()
    portal.state.version = "第二版"  # the 2021 report changes between the crawls
    with Fetcher(trust_env=False) as fetcher:
        results = run_crawl(
            env["sources"], env["archive"], env["staging"], fetcher=fetcher, echo=lambda _: None
        )
    run_ids = {r.run_id for r in results}
    log = pl.concat([read_log(env["staging"], s) for s in ("hanweb", "trs")])
    return {
        "results": {r.source_id: r for r in results},
        "hits": list(portal.state.hits),
        "outside_hits": outside.state.paths(),
        "log": log.filter(pl.col("run_id").is_in(list(run_ids))),
        "full_log": log,
    }


def row(log: pl.DataFrame, path_end: str) -> dict:
    rows = log.filter(pl.col("url").str.ends_with(path_end)).to_dicts()
    assert len(rows) == 1, f"{path_end}: {len(rows)} rows"
    return rows[0]


# -- what is fetched ------------------------------------------------------------


def test_log_has_the_contract_columns(first, env):
    for source_id in ("hanweb", "trs", "down"):
        path = env["staging"] / "crawl" / f"{source_id}.parquet"
        assert path.exists()
        frame = pl.read_parquet(path)
        assert list(frame.schema) == list(LOG_SCHEMA)
        assert frame.schema["fetched_at"] == pl.Datetime("us", "UTC")
    log = first["log"]
    assert set(log["kind"].unique()) <= {"listing", "report_page", "attachment", "robots"}
    assert (log["region"].filter(log["source_id"] == "hanweb") == "371003").all()


def test_hanweb_listing_pagination_and_report_detection_by_text(first):
    paths = first["paths"]
    assert "/col/col100/index.html?uid=1&pageNum=2" in paths
    for page in ("/art/2024/1/22/art_100_1.html", "/art/2023/3/1/art_100_4.html"):
        assert page in paths
    # A page whose link text is not a report is never fetched; nor is site navigation.
    assert "/art/2024/1/10/art_100_2.html" not in paths
    assert "/col/col999/index.html" not in paths
    log = first["log"]
    page = row(log, "/art/2024/1/22/art_100_1.html")
    assert page["kind"] == "report_page" and page["is_document"]
    assert page["parent_url"].endswith("/col/col100/index.html")
    assert row(log, "/col/col100/index.html")["is_document"] is False


def test_attachments_are_archived_sniffed_and_linked_to_their_page(first, env):
    log = first["log"]
    pdf = row(log, "downfile.jsp?classid=0&filename=2401221530.pdf")
    assert pdf["kind"] == "attachment" and pdf["is_document"]
    assert pdf["parent_url"].endswith("/art/2024/1/22/art_100_1.html")
    assert pdf["sha256"] == sha256_bytes(PDF) and pdf["size"] == len(PDF)
    assert pdf["content_type"] == "application/pdf"
    assert pdf["declared_content_type"] == "application/octet-stream"
    assert pdf["last_modified"]
    # Content-Disposition said ../../../../etc/evil.pdf: kept as a name, never a path.
    assert pdf["filename"] == "evil.pdf"
    archive = env["archive"].resolve()
    stored = list(archive.rglob(f"{pdf['sha256']}*"))
    assert len(stored) == 1 and stored[0].suffix == ".pdf"
    assert all(archive in p.resolve().parents for p in archive.rglob("*") if p.is_file())
    assert not list(env["archive"].parent.rglob("evil.pdf"))

    docx = row(log, "/attach/0/report.docx")
    assert docx["declared_content_type"] == "text/html"
    assert docx["content_type"].endswith("wordprocessingml.document")
    assert docx["sha256"] == sha256_bytes(DOCX)
    # Template images of a report page are not documents and are not fetched.
    assert "/images/logo.png" not in first["paths"]


def test_trs_pages_pager_gbk_and_images(first):
    paths = first["paths"]
    assert "/xxgk/nb/index_1.html" in paths  # from createPageHTML(2, 0, "index", "html")
    log = first["log"]
    gbk = row(log, "/xxgk/nb/202401/t20240125_501.html")
    assert gbk["kind"] == "report_page" and gbk["is_document"]
    # The undeclared GBK page was decoded: its relative P0….pdf and W0….png were found.
    pdf = row(log, "/xxgk/nb/202401/P020240125381234567890.pdf")
    png = row(log, "/xxgk/nb/202401/W020240125381234567891.png")
    assert pdf["is_document"] and pdf["parent_url"] == gbk["url"]
    assert png["content_type"] == "image/png" and png["is_document"]
    assert "/images/qrcode.png" not in paths
    docx = row(log, "/xxgk/nb/202301/P020230130999.docx")
    assert docx["is_document"] and docx["content_type"].endswith("wordprocessingml.document")


# -- politeness -------------------------------------------------------------------


def test_robots_is_obeyed_with_allow_precedence_and_wildcards(first):
    paths = first["paths"]
    assert paths.count("/robots.txt") == 1  # once per host and run, shared by two sources
    assert "/private/art_100_7.html" not in paths  # Disallow: /private/
    assert "/private/open/art_100_9.html" in paths  # longer Allow: /private/open/ wins
    assert "/search.php" not in paths  # Disallow: /*.php$
    skipped = first["results"]["hanweb"].skipped
    assert skipped[next(u for u in skipped if u.endswith("/private/art_100_7.html"))] == (
        "disallowed by robots.txt"
    )


def test_user_agent_and_bounded_concurrency(first):
    agents = {h.headers.get("user-agent", "") for h in first["hits"]}
    assert agents and all(a.startswith("ogi-warehouse/") for a in agents)
    assert 1 <= first["max_in_flight"] <= 2


def test_per_host_delay_is_respected(servers, tmp_path):
    portal, _ = servers
    sources = tmp_path / "s.toml"
    sources.write_text(
        f"""[[source]]
id = "slowpoke"
name = "delay"
region = "x"
start_urls = ["{portal.url}/xxgk/nb/index_1.html"]
allow = ["127.0.0.1"]
follow = []
reports = ['/t\\d{{8}}_\\d+\\.html$']
delay_s = 0.25
concurrency = 3
""",
        encoding="utf-8",
    )
    (source,) = load_sources(sources)
    before = len(portal.state.hits)
    with Fetcher(trust_env=False) as fetcher:
        result = crawl_source(source, tmp_path / "a", tmp_path / "s", fetcher=fetcher)
    hits = portal.state.hits[before:]
    assert result.requests == 4 and len(hits) == 4  # robots, listing, report, docx
    starts = sorted(h.at for h in hits)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.2, gaps


# -- faults -----------------------------------------------------------------------


def test_retry_after_is_honoured(first):
    flaky = [h for h in first["hits"] if h.path == "/files/flaky.pdf"]
    assert [h.status for h in flaky] == [503, 200]
    assert flaky[1].at - flaky[0].at >= 0.95  # Retry-After: 1, not the 0.05 s backoff
    r = row(first["log"], "/files/flaky.pdf")
    assert r["status"] == 200 and r["attempts"] == 2 and r["error"] is None
    assert r["sha256"] == sha256_bytes(PDF + b"%flaky")


def test_slow_endpoint_times_out_and_is_logged(first):
    r = row(first["log"], "/files/slow.pdf")
    assert r["sha256"] is None and "timeout" in r["error"]
    assert r["attempts"] == 3  # retries = 2


def test_redirect_loop_and_redirect_outside_are_errors(first):
    loop = row(first["log"], "/files/loop.pdf")
    assert "redirect loop" in loop["error"] and loop["sha256"] is None
    out = row(first["log"], "/files/go-out.pdf")
    assert "outside allowed hosts" in out["error"] and out["sha256"] is None


def test_outside_host_is_never_requested(first):
    assert first["outside_hits"] == []
    skipped = first["results"]["hanweb"].skipped
    assert any(u.startswith("http://localhost:") for u in skipped)
    assert not first["log"]["url"].str.starts_with("http://localhost").any()


def test_oversized_files_are_not_archived(first, env):
    for path in ("/files/big.pdf", "/files/big-chunked.pdf"):
        r = row(first["log"], path)
        assert r["sha256"] is None and "too large" in r["error"]
        assert r["attempts"] == 1  # a size limit is not worth a retry
    assert all(p.stat().st_size < 1_000_000 for p in env["archive"].rglob("*") if p.is_file())


def test_truncated_downloads_are_retried_and_never_archived(first, env):
    once = row(first["log"], "/files/truncated-once.pdf")
    assert once["attempts"] == 2 and once["error"] is None
    assert once["sha256"] == sha256_bytes(PDF + b"%truncated-once")
    always = row(first["log"], "/files/truncated.docx")
    assert always["sha256"] is None and "truncated" in always["error"]
    assert always["attempts"] == 3
    half = DOCX[: len(DOCX) // 2]
    assert not list(env["archive"].rglob(f"{sha256_bytes(half)}*"))


def test_404_is_logged(first):
    r = row(first["log"], "/files/missing.pdf")
    assert r["status"] == 404 and r["error"] == "HTTP 404" and not r["is_document"]


def test_unreachable_source_is_skipped_fast_and_others_go_on(first):
    down = first["results"]["down"]
    assert down.error and down.error.startswith("unreachable")
    assert down.elapsed_s < 3
    assert first["results"]["hanweb"].documents >= 5
    assert first["results"]["trs"].documents >= 4
    assert "off" not in first["results"]  # disabled
    assert first["elapsed"] < 20


# -- incremental --------------------------------------------------------------------


def test_second_crawl_sends_conditional_requests_and_gets_304(first, second):
    hits = {h.path: h for h in second["hits"]}
    page = hits["/art/2024/1/22/art_100_1.html"]
    assert page.headers.get("if-none-match") and page.status == 304
    pdf = hits["/xxgk/nb/202401/P020240125381234567890.pdf"]
    assert pdf.headers.get("if-modified-since") and pdf.status == 304
    listing = hits["/col/col100/index.html"]
    assert listing.status == 304
    # The walk still went through the 304 listings (answered from the archive).
    assert "/col/col100/index.html?uid=1&pageNum=2" in hits
    assert "/xxgk/nb/index_1.html" in hits


def test_second_crawl_fetches_nothing_new_but_the_changed_page(first, second, env):
    log = second["log"]
    changed = log.filter(pl.col("changed"))
    assert changed["url"].to_list() == [
        next(u for u in log["url"] if u.endswith("/art/2022/1/20/art_100_5.html"))
    ]
    new = changed.row(0, named=True)
    old = row(first["log"], "/art/2022/1/20/art_100_5.html")
    assert new["status"] == 200 and new["previous_sha256"] == old["sha256"]
    assert new["sha256"] != old["sha256"]
    for sha in (old["sha256"], new["sha256"]):  # the old version stays findable
        assert list(env["archive"].rglob(f"{sha}*"))
    unchanged = log.filter(pl.col("is_document") & ~pl.col("changed"))
    assert unchanged.height >= 8 and unchanged["not_modified"].all()
    assert unchanged["sha256"].is_not_null().all()  # a 304 names the copy it confirms
    assert second["outside_hits"] == []


def test_current_documents_replace_old_versions(second, env):
    docs = current_documents(env["staging"])
    r = docs.filter(pl.col("url").str.ends_with("/art/2022/1/20/art_100_5.html")).row(0, named=True)
    old = row(
        second["full_log"].filter(
            ~pl.col("run_id").is_in(second["log"]["run_id"].unique().to_list())
        ),
        "/art/2022/1/20/art_100_5.html",
    )
    assert r["superseded"] == [old["sha256"]]
    assert docs.select(["source_id", "url"]).is_unique().all()
    assert Path(env["staging"], "crawl", "hanweb.parquet").exists()


def test_host_that_goes_down_mid_crawl_is_given_up(tmp_path):
    """A host that answered robots.txt and the listing, then stopped accepting
    connections: three failures, then the rest of its queue is skipped, not tried."""
    links = "".join(
        f'<a href="/r/{i}.html">某镇2023年政府信息公开工作年度报告{i}</a>' for i in range(8)
    )
    pages = {"/robots.txt": b"User-agent: *\nDisallow:\n", "/list.html": links.encode()}

    class OneShot(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", 0), OneShot)
    port = server.server_address[1]

    def serve_two_then_close() -> None:
        server.handle_request()
        server.handle_request()
        server.server_close()

    thread = threading.Thread(target=serve_two_then_close, daemon=True)
    thread.start()
    source = source_from_dict(
        {
            "id": "dying",
            "name": "dying",
            "region": "x",
            "start_urls": [f"http://127.0.0.1:{port}/list.html"],
            "allow": ["127.0.0.1"],
            "delay_s": 0.01,
            "connect_timeout_s": 0.5,
            "retries": 3,
            "backoff_s": 0.05,
            "concurrency": 1,
        }
    )
    with Fetcher(trust_env=False) as fetcher:
        result = crawl_source(source, tmp_path / "a", tmp_path / "s", fetcher=fetcher)
    thread.join(5)
    log = read_log(tmp_path / "s", "dying")
    failed = log.filter(pl.col("kind") == "report_page")
    assert failed.height == 3 and failed["error"].str.starts_with("connect").all()
    assert list(result.skipped.values()).count("host stopped answering") == 5
    assert result.elapsed_s < 3
