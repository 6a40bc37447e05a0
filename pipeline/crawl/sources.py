"""Crawl sources: one `[[source]]` table per government portal in a TOML file.

The file is the only place a portal is described; everything the crawler does on a
site (where it starts, which hosts it may touch, which pages it walks, how fast) is
read from here so that adding a portal never needs code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_ALLOW = ("*.gov.cn",)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class SourceError(ValueError):
    """A sources file that cannot be used as written."""


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    region: str  # division code or name, used later to resolve short agency names
    start_urls: tuple[str, ...]
    allow: tuple[str, ...] = DEFAULT_ALLOW
    follow: tuple[str, ...] = ()  # regexes of listing pages to walk (pagination too)
    reports: tuple[str, ...] | None = None  # regexes of report pages; None: detect by text
    max_pages: int = 500  # requests per crawl of this source, robots.txt excluded
    delay_s: float = 1.0  # minimum gap between two requests to one host
    enabled: bool = True
    # Fault and safety limits; the defaults suit real portals, tests shrink them.
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0
    retries: int = 3
    backoff_s: float = 1.0
    max_retry_after_s: float = 120.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 2  # requests in flight per host
    follow_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    reports_re: tuple[re.Pattern[str], ...] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compile once; a bad regex is a configuration error worth failing on early.
        try:
            object.__setattr__(self, "follow_re", tuple(re.compile(p) for p in self.follow))
            if self.reports is not None:
                object.__setattr__(self, "reports_re", tuple(re.compile(p) for p in self.reports))
        except re.error as exc:
            raise SourceError(f"source {self.id}: bad regex: {exc}") from exc

    def host_allowed(self, url: str) -> bool:
        return host_allowed(url, self.allow)


def host_allowed(url: str, allow: tuple[str, ...] | list[str]) -> bool:
    """True when the URL is http(s) and its host matches one `allow` pattern.

    `*.gov.cn` matches `gov.cn` itself and any subdomain; a bare name matches only
    itself. Ports are ignored, so fixtures on 127.0.0.1:PORT match `127.0.0.1`.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return False
    for pattern in allow:
        pattern = pattern.lower().strip().rstrip(".")
        if pattern.startswith("*."):
            suffix = pattern[2:]
            if host == suffix or host.endswith("." + suffix):
                return True
        elif host == pattern:
            return True
    return False


_FIELDS = {
    "id",
    "name",
    "region",
    "start_urls",
    "allow",
    "follow",
    "reports",
    "max_pages",
    "delay_s",
    "enabled",
    "timeout_s",
    "connect_timeout_s",
    "retries",
    "backoff_s",
    "max_retry_after_s",
    "max_bytes",
    "max_redirects",
    "concurrency",
}
_TUPLES = ("start_urls", "allow", "follow", "reports")


def source_from_dict(raw: dict) -> Source:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise SourceError(f"source {raw.get('id')!r}: unknown keys {sorted(unknown)}")
    for key in ("id", "name", "region", "start_urls"):
        if not raw.get(key):
            raise SourceError(f"source {raw.get('id')!r}: missing {key}")
    if not _ID_RE.match(str(raw["id"])):
        raise SourceError(f"source id {raw['id']!r}: use lower-case letters, digits, - and _")
    kwargs = dict(raw)
    for key in _TUPLES:
        if key in kwargs:
            value = kwargs[key]
            kwargs[key] = (value,) if isinstance(value, str) else tuple(value)
    source = Source(**kwargs)
    for url in source.start_urls:
        if not source.host_allowed(url):
            raise SourceError(f"source {source.id}: start URL {url} is outside allow")
    if source.max_pages < 1 or source.delay_s < 0 or source.concurrency < 1:
        raise SourceError(f"source {source.id}: max_pages, delay_s or concurrency out of range")
    return source


def load_sources(path: str | Path) -> list[Source]:
    """Every `[[source]]` of a TOML file, disabled ones included (check `enabled`)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    sources = [source_from_dict(raw) for raw in data.get("source", [])]
    ids = [s.id for s in sources]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SourceError(f"duplicate source ids: {dupes}")
    return sources
