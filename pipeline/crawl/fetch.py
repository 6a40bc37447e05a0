"""The HTTP client: polite, bounded, and honest about what went wrong.

One `Fetcher` per crawl run. Every request to a host passes that host's `HostGate`,
which spaces request starts by the host's delay and caps requests in flight, so two
sources on one portal still share one budget. Redirects are followed by hand, one hop
at a time, so that every hop is checked against the allowed hosts and robots.txt
before it is requested. Bodies are streamed with a size cap and checked against
Content-Length; a short body is retried and never returned as content.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.crawl.robots import RobotsBook

USER_AGENT = os.environ.get(
    "OGI_CRAWL_USER_AGENT",
    "ogi-warehouse/0.1 (archive of government OGI annual reports; obeys robots.txt)",
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Returns why a URL must not be requested, or None when it may be.
UrlCheck = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Per-source limits; see `Source` for what each means."""

    delay_s: float = 1.0
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0
    retries: int = 3
    backoff_s: float = 1.0
    max_retry_after_s: float = 120.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 2


@dataclass(slots=True)
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes | None = None
    error: str | None = None
    attempts: int = 0
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class HostGate:
    """Spaces request starts to one host and bounds how many are in flight."""

    def __init__(self, concurrency: int) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next = 0.0

    def __enter__(self) -> HostGate:
        self._slots.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._slots.release()

    def wait_turn(self, delay_s: float) -> None:
        """Block until this host may be asked again, and book the next slot."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + delay_s
        if start > now:
            time.sleep(start - now)

    def defer(self, seconds: float) -> None:
        """Push the host's next slot back (a 429/503 with Retry-After slows everyone)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


class _Retryable(Exception):
    def __init__(self, message: str, wait_s: float | None = None) -> None:
        super().__init__(message)
        self.wait_s = wait_s


class _Fatal(Exception):
    pass


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Fetcher:
    """Thread-safe: crawls of several sources and workers of one source share it."""

    def __init__(self, *, user_agent: str = USER_AGENT, trust_env: bool = True) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            follow_redirects=False,
            trust_env=trust_env,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        self._gates: dict[str, HostGate] = {}
        self._gates_lock = threading.Lock()
        # robots.txt is per host, not per source: sources sharing a host share rules.
        self.robots = RobotsBook()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def gate(self, url: str, concurrency: int) -> HostGate:
        host = urlsplit(url).netloc.lower()
        with self._gates_lock:
            if host not in self._gates:
                self._gates[host] = HostGate(concurrency)
            return self._gates[host]

    def fetch(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        check: UrlCheck | None = None,
        delay_for: Callable[[str], float] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url` with retries; never raises for network or HTTP trouble.

        `check` vets every redirect hop (allowed host, robots.txt); `delay_for` gives
        the per-host delay (the source's, or Crawl-delay when larger).
        """
        result = FetchResult(url=url)
        for attempt in range(policy.retries + 1):
            result = FetchResult(url=url, attempts=attempt + 1)
            try:
                self._follow(result, policy, check, delay_for, etag, last_modified)
                return result
            except _Fatal as exc:
                result.error = str(exc)
                return result
            except _Retryable as exc:
                result.error = str(exc)
                connect_failed = exc.args[0].startswith("connect")
                # A host that refuses connections gets one more try, not the full
                # ladder: an unreachable portal must be skipped within seconds.
                last = attempt >= (min(1, policy.retries) if connect_failed else policy.retries)
                if last:
                    return result
                wait = exc.wait_s if exc.wait_s is not None else policy.backoff_s * 2**attempt
                if wait > policy.max_retry_after_s:
                    result.error = f"{exc} (Retry-After {wait:.0f}s exceeds limit)"
                    return result
                self.gate(result.final_url or url, policy.concurrency).defer(wait)
        return result

    def _follow(
        self,
        result: FetchResult,
        policy: FetchPolicy,
        check: UrlCheck | None,
        delay_for: Callable[[str], float] | None,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        url = result.url
        seen = {url}
        for _hop in range(policy.max_redirects + 1):
            result.final_url = url
            location = self._request(result, url, policy, delay_for, etag, last_modified)
            if location is None:
                return
            target = urljoin(url, location)
            if target in seen:
                raise _Fatal(f"redirect loop at {target}")
            seen.add(target)
            if check is not None and (reason := check(target)):
                result.final_url = target
                raise _Fatal(f"redirect to {target} refused: {reason}")
            url = target
        raise _Fatal(f"too many redirects (> {policy.max_redirects})")

    def _request(
        self,
        result: FetchResult,
        url: str,
        policy: FetchPolicy,
        delay_for: Callable[[str], float] | None,
        etag: str | None,
        last_modified: str | None,
    ) -> str | None:
        """One request; fills `result`, returns a redirect Location or None."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = httpx.Timeout(policy.timeout_s, connect=policy.connect_timeout_s)
        delay = delay_for(url) if delay_for else policy.delay_s
        with self.gate(url, policy.concurrency) as gate:
            gate.wait_turn(delay)
            result.fetched_at = datetime.now(UTC)
            try:
                with self._client.stream("GET", url, headers=headers, timeout=timeout) as resp:
                    result.status = resp.status_code
                    result.headers = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code in REDIRECT_STATUSES and "location" in resp.headers:
                        return resp.headers["location"]
                    if resp.status_code in RETRY_STATUSES:
                        wait = parse_retry_after(resp.headers.get("retry-after"))
                        raise _Retryable(f"HTTP {resp.status_code}", wait)
                    if resp.status_code == 304:
                        result.not_modified = True
                        return None
                    if not 200 <= resp.status_code < 300:
                        result.error = f"HTTP {resp.status_code}"
                        return None
                    result.body = _read_body(resp, policy.max_bytes)
                    return None
            except httpx.ConnectTimeout as exc:
                raise _Retryable(f"connect timeout: {url}") from exc
            except httpx.ConnectError as exc:
                raise _Retryable(f"connect error: {exc}") from exc
            except httpx.TimeoutException as exc:
                raise _Retryable(f"timeout ({type(exc).__name__})") from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # A reset or a body cut short; h11 reports a short body this way.
                raise _Retryable(f"truncated or reset: {exc}") from exc
            except httpx.HTTPError as exc:
                raise _Fatal(f"{type(exc).__name__}: {exc}") from exc


def _read_body(resp: httpx.Response, max_bytes: int) -> bytes:
    declared = resp.headers.get("content-length")
    expected = int(declared) if declared and declared.isdigit() else None
    if expected is not None and expected > max_bytes:
        raise _Fatal(f"too large: Content-Length {expected} > {max_bytes}")
    chunks: list[bytes] = []
    total = 0
    for chunk in resp.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise _Fatal(f"too large: over {max_bytes} bytes")
        chunks.append(chunk)
    # Content-Length counts the bytes on the wire (before any gzip decoding).
    if expected is not None and resp.num_bytes_downloaded != expected:
        raise _Retryable(f"truncated: {resp.num_bytes_downloaded} of {expected} bytes")
    return b"".join(chunks)
