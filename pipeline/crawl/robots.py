"""robots.txt rules, read with Protego.

Protego implements RFC 9309: the longest matching rule wins (so a specific Allow beats
a broader Disallow whatever their order), `*` and `$` wildcards work, and Crawl-delay
is read. The standard library's robotparser takes the first match instead and ignores
wildcards, which gets real portal files wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

# The product token robots.txt groups are matched against.
ROBOTS_AGENT = "ogi-warehouse"


@dataclass(slots=True)
class Robots:
    """The rules for one host; `allow_all` / `deny_all` when there is no usable file."""

    parser: Protego | None = None
    deny_all: bool = False
    note: str = ""
    reachable: bool = True  # False when the host did not answer at all

    def can_fetch(self, url: str) -> bool:
        if self.deny_all:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, ROBOTS_AGENT))

    def crawl_delay(self) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(ROBOTS_AGENT)
        return float(delay) if delay else 0.0


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def from_response(status: int | None, body: bytes) -> Robots:
    """Rules from a robots.txt fetch, following RFC 9309 for the failure cases.

    4xx: no rules, everything allowed. 5xx or no answer at all: the site may be in
    trouble, so crawl nothing (the RFC's "complete disallow").
    """
    if status is None:
        return Robots(deny_all=True, note="robots.txt unreachable", reachable=False)
    if 200 <= status < 300:
        text = body.decode("utf-8", errors="replace")
        return Robots(parser=Protego.parse(text), note="robots.txt")
    if 400 <= status < 500:
        return Robots(note=f"no robots.txt ({status})")
    return Robots(deny_all=True, note=f"robots.txt error ({status})")


def effective_delay(configured_s: float, robots: Robots) -> float:
    """The gap between two requests to a host: the larger of ours and Crawl-delay."""
    return max(configured_s, robots.crawl_delay())


@dataclass
class RobotsBook:
    """robots.txt per host for one crawl run, fetched once even when several sources
    (on several threads) share a host."""

    _rules: dict[str, Robots] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, url: str, load: Callable[[str], Robots]) -> Robots:
        """The host's rules; `load(robots_url)` is called once per host."""
        host = urlsplit(url).netloc.lower()
        with self._lock:
            if host in self._rules:
                return self._rules[host]
            host_lock = self._locks.setdefault(host, threading.Lock())
        with host_lock:  # one fetch per host; other hosts are not held up
            if host not in self._rules:
                rules = load(robots_url(url))
                with self._lock:
                    self._rules[host] = rules
            return self._rules[host]
