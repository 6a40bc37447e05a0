"""The walk over one portal, and a run over many.

Start URLs are listing pages. A listing yields more listings (the source's `follow`
regexes, pagination included) and report links (`reports` regexes, or link text like
"…政府信息公开工作年度报告"). A report page yields its attachments. Work is taken in
the order attachments, report pages, listings, so that a `max_pages` budget is spent
on finishing documents already found before widening the walk.

Every response body is archived by hash (listings too: a 304 on the next crawl is
answered from the archive, so the walk still sees the page's links).
"""

from __future__ import annotations

import heapq
import itertools
import re
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.archive import archive_path, store
from pipeline.crawl.fetch import Fetcher, FetchPolicy, FetchResult
from pipeline.crawl.links import (
    attachment_ext,
    decode_page,
    extract_links,
    file_name_of,
    is_content_image,
    looks_like_report,
)
from pipeline.crawl.robots import Robots, effective_delay, from_response
from pipeline.crawl.sniff import extension, sniff
from pipeline.crawl.sources import Source, load_sources
from pipeline.crawl.state import UrlState, append_log, load_state

# Sniffed types that are report content when they come as an attachment.
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-works",
        "application/x-ole-storage",
        "application/ofd",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/bmp",
        "image/tiff",
        "image/webp",
    }
)
_PRIORITY = {"attachment": 0, "report_page": 1, "listing": 2}
# Consecutive connection failures after which a host is given up for this run, so a
# portal that goes down mid-crawl does not cost a connect timeout per queued URL.
HOST_FAILURES_TO_GIVE_UP = 3


@dataclass(frozen=True, slots=True, order=True)
class _Task:
    priority: int
    seq: int
    kind: str = field(compare=False)
    url: str = field(compare=False)
    parent_url: str | None = field(compare=False)


@dataclass(slots=True)
class CrawlResult:
    source_id: str
    run_id: str
    log_path: Path | None = None
    requests: int = 0  # rows written (robots.txt fetches included)
    documents: int = 0  # report pages and attachments with archived content
    new_documents: int = 0  # of which new or changed since the last crawl
    not_modified: int = 0
    errors: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # url -> why it was not requested
    error: str | None = None  # the source as a whole failed (e.g. unreachable)
    crashed: bool = False  # the failure is a bug in the crawler, not the portal's doing
    elapsed_s: float = 0.0

    def summary(self) -> str:
        head = f"{self.source_id}: "
        if self.error:
            head += f"FAILED ({self.error}); "
        return (
            head + f"{self.requests} requests, {self.documents} documents "
            f"({self.new_documents} new or changed), {self.not_modified} not modified, "
            f"{self.errors} errors, {len(self.skipped)} links skipped, {self.elapsed_s:.1f}s"
        )


def policy_of(source: Source) -> FetchPolicy:
    return FetchPolicy(
        delay_s=source.delay_s,
        timeout_s=source.timeout_s,
        connect_timeout_s=source.connect_timeout_s,
        retries=source.retries,
        backoff_s=source.backoff_s,
        max_retry_after_s=source.max_retry_after_s,
        max_bytes=source.max_bytes,
        max_redirects=source.max_redirects,
        concurrency=source.concurrency,
    )


_UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def safe_filename(name: str) -> str:
    """A display name that can never be a path: last segment only, no control characters.

    The archive itself names files by hash, so this is provenance, not a path.
    """
    name = unquote(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_RE.sub("_", name).strip(" .")
    return name[:200]


def content_disposition_name(value: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266 `filename*` first).

    Chinese portals often send raw UTF-8 or GBK bytes in `filename=`; httpx hands those
    over as Latin-1, so they are re-decoded here.
    """
    if not value:
        return None
    msg = Message()
    msg["content-disposition"] = value
    name = msg.get_filename()
    if not name:
        return None
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def _archived_file(archive_root: Path, sha256: str) -> Path | None:
    folder = archive_path(archive_root, sha256).parent
    return next((p for p in folder.glob(f"{sha256}*") if p.is_file()), None)


class _Walk:
    """The state of one source's crawl; methods run on worker threads where noted."""

    def __init__(
        self,
        source: Source,
        archive_root: Path,
        state: dict[str, UrlState],
        fetcher: Fetcher,
        run_id: str,
    ) -> None:
        self.source = source
        self.archive_root = archive_root
        self.state = state
        self.fetcher = fetcher
        self.run_id = run_id
        self.policy = policy_of(source)
        self.rows: list[dict] = []
        self.skipped: dict[str, str] = {}
        self._rows_lock = threading.Lock()
        self._host_failures: dict[str, int] = {}

    # -- politeness -------------------------------------------------------------

    def robots_for(self, url: str) -> Robots:
        return self.fetcher.robots.get(url, self._load_robots)

    def _load_robots(self, url: str) -> Robots:
        res = self.fetcher.fetch(url, self.policy)
        robots = from_response(res.status, res.body or b"")
        if res.error and res.status is not None and 400 <= res.status < 500:
            res.error = None  # a missing robots.txt is normal, not a fault
        self._log(res, kind="robots", parent_url=None, body=res.body)
        return robots

    def check(self, url: str) -> str | None:
        if not self.source.host_allowed(url):
            return "outside allowed hosts"
        if self._host_failures.get(urlsplit(url).netloc, 0) >= HOST_FAILURES_TO_GIVE_UP:
            return "host stopped answering"
        if not self.robots_for(url).can_fetch(url):
            return "disallowed by robots.txt"
        return None

    def delay_for(self, url: str) -> float:
        return effective_delay(self.source.delay_s, self.robots_for(url))

    # -- fetching ---------------------------------------------------------------

    def process(self, task: _Task) -> list[tuple[str, str, str]]:
        """Fetch one URL, archive and log it, return (kind, url, parent) links found."""
        host = urlsplit(task.url).netloc
        if self._host_failures.get(host, 0) >= HOST_FAILURES_TO_GIVE_UP:
            # Queued before the host went down: skipped now, without a request.
            with self._rows_lock:
                self.skipped[task.url] = "host stopped answering"
            return []
        prev = self.state.get(task.url)
        prev_file = _archived_file(self.archive_root, prev.sha256) if prev else None
        if prev_file is None:
            prev = None  # never seen, or the archived copy is gone: ask for the full body
        res = self.fetcher.fetch(
            task.url,
            self.policy,
            check=self.check,
            delay_for=self.delay_for,
            etag=prev.etag if prev else None,
            last_modified=prev.last_modified if prev else None,
        )
        with self._rows_lock:
            connect_failed = res.status is None and (res.error or "").startswith("connect")
            self._host_failures[host] = (
                self._host_failures.get(host, 0) + 1 if connect_failed else 0
            )
        body = res.body
        if res.not_modified and prev_file is not None and prev.content_type == "text/html":
            body = prev_file.read_bytes()  # a 304 page: its links come from the archive
        row = self._log(res, kind=task.kind, parent_url=task.parent_url, body=body, prev=prev)
        if body is None or row["content_type"] != "text/html" or task.kind == "attachment":
            return []
        page = decode_page(body, res.content_type)
        return self._classify(task, res.final_url or task.url, page)

    def _classify(self, task: _Task, page_url: str, page: str) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        for link in extract_links(page, page_url):
            kind = None
            ext = attachment_ext(link.url)
            if task.kind == "report_page":
                if ext and (link.tag != "img" or is_content_image(link)):
                    kind = "attachment"
            elif link.tag != "img":
                if self._is_report_link(link.url, link.text):
                    kind = "attachment" if ext else "report_page"
                elif any(r.search(link.url) for r in self.source.follow_re):
                    kind = "listing"
            if kind is not None:
                out.append((kind, link.url, page_url))
        return out

    def _is_report_link(self, url: str, text: str) -> bool:
        if self.source.reports_re is not None:
            return any(r.search(url) for r in self.source.reports_re)
        return looks_like_report(text)

    def _log(
        self,
        res: FetchResult,
        *,
        kind: str,
        parent_url: str | None,
        body: bytes | None,
        prev: UrlState | None = None,
    ) -> dict:
        sha = size = ctype = None
        etag, last_modified = res.etag, res.last_modified
        changed = False
        previous = None
        name = content_disposition_name(res.headers.get("content-disposition"))
        filename = safe_filename(name or file_name_of(res.final_url or res.url)) or None
        if res.not_modified and prev is not None:
            sha, size, ctype = prev.sha256, prev.size, prev.content_type
            etag, last_modified = etag or prev.etag, last_modified or prev.last_modified
        elif res.ok and body is not None:
            ctype = sniff(body, filename or "")
            ext = extension(ctype)
            if ext == ".bin" and (url_ext := attachment_ext(res.final_url or res.url)):
                ext = url_ext
            archived = store(self.archive_root, body, "file" + ext)
            sha, size = archived.sha256, archived.size
            # robots.txt is shared by the sources on a host, so "changed" would depend on
            # which source happened to fetch it: it is left False there.
            changed = kind != "robots" and (prev is None or prev.sha256 != sha)
            previous = prev.sha256 if prev is not None and changed else None
        if kind == "attachment":
            is_document = ctype in DOCUMENT_TYPES
        elif kind == "report_page":
            is_document = ctype == "text/html" or ctype in DOCUMENT_TYPES
        else:
            is_document = False
        error = res.error
        if res.not_modified and prev is None:
            error = "304 for a URL with no archived copy"
        row = {
            "source_id": self.source.id,
            "url": res.url,
            "final_url": res.final_url,
            "status": res.status,
            "fetched_at": res.fetched_at,
            "etag": etag,
            "last_modified": last_modified,
            "sha256": sha,
            "size": size,
            "content_type": ctype,
            "declared_content_type": res.content_type,
            "parent_url": parent_url,
            "kind": kind,
            "is_document": bool(is_document and sha is not None),
            "not_modified": res.not_modified,
            "error": error,
            "region": self.source.region,
            "run_id": self.run_id,
            "attempts": res.attempts,
            "changed": changed,
            "previous_sha256": previous,
            "filename": filename,
        }
        with self._rows_lock:
            self.rows.append(row)
        return row

    # -- the walk ---------------------------------------------------------------

    def run(self) -> str | None:
        """Walk the source; returns an error when the source as a whole failed."""
        if not any(self.robots_for(url).reachable for url in self.source.start_urls):
            # No host answered at all: report and give up now rather than time out
            # on every URL of the walk.
            errors = [r["error"] for r in self.rows if r["kind"] == "robots" and r["error"]]
            return f"unreachable: {errors[0] if errors else 'no answer'}"

        frontier: list[_Task] = []
        seen: set[str] = set()
        seq = itertools.count()

        def enqueue(kind: str, url: str, parent: str | None) -> None:
            if url in seen:
                return
            seen.add(url)
            if reason := self.check(url):
                self.skipped[url] = reason
                return
            heapq.heappush(frontier, _Task(_PRIORITY[kind], next(seq), kind, url, parent))

        for url in self.source.start_urls:
            enqueue("listing", url, None)
        budget = self.source.max_pages
        with ThreadPoolExecutor(
            max_workers=self.source.concurrency, thread_name_prefix=f"crawl-{self.source.id}"
        ) as pool:
            pending: dict[Future, _Task] = {}
            while frontier or pending:
                while frontier and budget > 0 and len(pending) < self.source.concurrency:
                    task = heapq.heappop(frontier)
                    budget -= 1
                    pending[pool.submit(self.process, task)] = task
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = pending.pop(fut)
                    try:
                        found = fut.result()
                    except Exception as exc:  # a bug on one page must not end the walk
                        self.skipped[task.url] = f"internal error: {exc!r}"
                        continue
                    for kind, url, parent in found:
                        enqueue(kind, url, parent)
            for task in frontier:
                self.skipped[task.url] = "max_pages reached"
        return None


def crawl_source(
    source: Source,
    archive_root: str | Path,
    staging_root: str | Path,
    state: dict[str, UrlState] | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> CrawlResult:
    """Crawl one source and append its requests to `<staging>/crawl/<id>.parquet`.

    `state` (URL -> last good version) defaults to what that log already records,
    which makes the crawl incremental: conditional requests, unchanged content
    neither re-archived nor flagged as changed. Never raises for network trouble.
    """
    started = time.monotonic()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
    if state is None:
        state = load_state(staging_root, source.id)
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    walk = _Walk(source, Path(archive_root), state, fetcher, run_id)
    result = CrawlResult(source_id=source.id, run_id=run_id)
    try:
        result.error = walk.run()
    except Exception as exc:  # report, never take the other sources down
        result.error = f"crawl failed: {exc!r}"
        result.crashed = True
    finally:
        if own:
            fetcher.close()
        result.log_path = append_log(staging_root, source.id, walk.rows)
    docs = [r for r in walk.rows if r["is_document"]]
    result.requests = len(walk.rows)
    result.documents = len(docs)
    result.new_documents = sum(r["changed"] for r in docs)
    result.not_modified = sum(r["not_modified"] for r in walk.rows)
    result.errors = sum(r["error"] is not None for r in walk.rows)
    result.skipped = walk.skipped
    result.elapsed_s = time.monotonic() - started
    return result


def run_crawl(
    sources_path: str | Path,
    archive_root: str | Path,
    staging_root: str | Path,
    only: str | list[str] | None = None,
    *,
    max_workers: int = 4,
    fetcher: Fetcher | None = None,
    echo=print,
) -> list[CrawlResult]:
    """Crawl the enabled sources of a TOML file (or the ones named in `only`, enabled
    or not) in parallel, printing one line per source; a failing source is reported
    and the others go on."""
    sources = load_sources(sources_path)
    if only is not None:
        wanted = {only} if isinstance(only, str) else set(only)
        unknown = wanted - {s.id for s in sources}
        if unknown:
            raise ValueError(f"unknown source ids: {sorted(unknown)}")
        sources = [s for s in sources if s.id in wanted]
    else:
        sources = [s for s in sources if s.enabled]
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    results: list[CrawlResult] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            futures = {
                pool.submit(crawl_source, s, archive_root, staging_root, fetcher=fetcher): s
                for s in sources
            }
            for fut in as_completed(futures):
                res = fut.result()
                echo(f"crawl {res.summary()}")
                results.append(res)
    finally:
        if own:
            fetcher.close()
    order = {s.id: i for i, s in enumerate(sources)}
    return sorted(results, key=lambda r: order[r.source_id])
