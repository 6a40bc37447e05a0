"""robots.txt rules, read with Protego.

Protego implements RFC 9309: the longest matching rule wins (so a specific Allow beats
a broader Disallow whatever their order), `*` and `$` wildcards work, and Crawl-delay
is read. The standard library's robotparser takes the first match instead and ignores
wildcards, which gets real portal files wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        return Robots(deny_all=True, note="robots.txt unreachable")
    if 200 <= status < 300:
        text = body.decode("utf-8", errors="replace")
        return Robots(parser=Protego.parse(text), note="robots.txt")
    if 400 <= status < 500:
        return Robots(note=f"no robots.txt ({status})")
    return Robots(deny_all=True, note=f"robots.txt error ({status})")
