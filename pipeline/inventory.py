"""The document inventory: every file ever taken in, archived by content hash.

Files come from the inbox folder (dropped by hand or by another tool) and from crawl
logs. Each is archived before anything else; the inventory remembers it even after
it leaves the inbox, so re-running never loses a report.

An inbox folder may declare where its reports come from in a `_source.toml`:

    region = "山东省威海市文登区"   # used to resolve short agency names
    source_id = "weihai-wendeng"   # optional label

The nearest `_source.toml` above a file applies to it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.archive import store
from pipeline.readers import sniff_format

SOURCE_FILE = "_source.toml"
REPORT_SUFFIXES = {
    ".pdf", ".html", ".htm", ".shtml", ".docx", ".doc", ".wps", ".txt", ".md",
    ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp",
}  # fmt: skip

INVENTORY_SCHEMA = {
    "sha256": pl.String,
    "archive_path": pl.String,
    "file_name": pl.String,
    "origin": pl.String,  # inbox | crawl
    "source_id": pl.String,
    "source_url": pl.String,
    "parent_url": pl.String,
    "region_hint": pl.String,
    "size_bytes": pl.Int64,
    "format": pl.String,
    "first_seen": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    sha256: str
    archive_path: str
    file_name: str
    origin: str
    source_id: str | None
    source_url: str | None
    parent_url: str | None
    region_hint: str | None
    size_bytes: int
    format: str
    first_seen: datetime


def _folder_source(path: Path, inbox: Path, cache: dict[Path, dict]) -> dict:
    """Settings from the nearest _source.toml between the file and the inbox root."""
    for folder in [path.parent, *path.parent.parents]:
        if folder in cache:
            if cache[folder]:
                return cache[folder]
        else:
            declared = folder / SOURCE_FILE
            cache[folder] = tomllib.loads(declared.read_text("utf-8")) if declared.exists() else {}
            if cache[folder]:
                return cache[folder]
        if folder == inbox:
            break
    return {}


def inbox_files(inbox: Path) -> list[Path]:
    """Report files under the inbox, in a stable order; hidden files are ignored."""
    if not inbox.exists():
        return []
    return sorted(
        p
        for p in inbox.rglob("*")
        if p.is_file()
        and p.suffix.lower() in REPORT_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
    )


def scan_inbox(inbox: str | Path, archive_root: str | Path) -> list[InventoryEntry]:
    inbox = Path(inbox).resolve()
    cache: dict[Path, dict] = {}
    now = datetime.now(UTC)
    entries = []
    for path in inbox_files(inbox):
        data = path.read_bytes()
        archived = store(archive_root, data, path.name)
        declared = _folder_source(path, inbox, cache)
        entries.append(
            InventoryEntry(
                sha256=archived.sha256,
                archive_path=str(archived.path),
                file_name=str(path.relative_to(inbox)),
                origin="inbox",
                source_id=declared.get("source_id", "inbox"),
                source_url=None,
                parent_url=None,
                region_hint=declared.get("region"),
                size_bytes=archived.size,
                format=sniff_format(data, path.name),
                first_seen=now,
            )
        )
    return entries


def crawled_entries(staging_root: str | Path, archive_root: str | Path) -> list[InventoryEntry]:
    """The current version of every document the crawler fetched.

    A report whose page changed is represented by its latest bytes only, so its new
    facts replace the old; older versions stay in the archive and the fetch log.
    """
    from pipeline.crawl import current_documents, read_all_logs

    # When several URLs serve the same bytes, the earliest fetch names the document,
    # so the choice stays stable across crawls.
    log = read_all_logs(staging_root)
    first_fetch = dict(
        log.filter(pl.col("sha256").is_not_null())
        .group_by("sha256")
        .agg(pl.col("fetched_at").min())
        .iter_rows()
    )
    entries = []
    for row in current_documents(staging_root).iter_rows(named=True):
        sha = row["sha256"]
        path = next(Path(archive_root).glob(f"{sha[:2]}/{sha}*"), None)
        if path is None:
            continue  # logged but never archived (e.g. truncated): nothing to parse
        url = row.get("final_url") or row["url"]
        with path.open("rb") as fh:
            head = fh.read(4096)
        entries.append(
            InventoryEntry(
                sha256=sha,
                archive_path=str(path),
                file_name=row.get("filename") or url.rsplit("/", 1)[-1] or url,
                origin="crawl",
                source_id=row.get("source_id"),
                source_url=url,
                parent_url=row.get("parent_url"),
                region_hint=row.get("region"),
                size_bytes=int(row.get("size") or path.stat().st_size),
                format=sniff_format(head, path.name),
                first_seen=first_fetch.get(sha, row["fetched_at"]),
            )
        )
    return entries


def merge_inventory(
    previous: pl.DataFrame | None, entries: Iterable[InventoryEntry]
) -> pl.DataFrame:
    """Union with what was seen before; the first sighting of a (hash, place) wins."""
    new = pl.DataFrame([asdict(e) for e in entries], schema=INVENTORY_SCHEMA)
    frames = [f for f in (previous, new) if f is not None]
    merged = pl.concat(frames, how="vertical_relaxed") if frames else new
    return (
        merged.sort("first_seen", "origin", "file_name")
        .unique(
            subset=["sha256", "origin", "file_name", "source_url"],
            keep="first",
            maintain_order=True,
        )
        .sort("sha256", "first_seen", "origin", "file_name")
    )


def build_inventory(
    inbox: str | Path, archive_root: str | Path, staging_root: str | Path
) -> pl.DataFrame:
    """Scan the inbox and crawl logs, archive new bytes, and persist the inventory."""
    staging_root = Path(staging_root)
    staging_root.mkdir(parents=True, exist_ok=True)
    target = staging_root / "inventory.parquet"
    # Inbox files are remembered after they leave the inbox; crawled documents are
    # taken fresh from the fetch logs each time (only each URL's current version).
    previous = (
        pl.read_parquet(target).filter(pl.col("origin") == "inbox") if target.exists() else None
    )
    inbox_seen = merge_inventory(previous, scan_inbox(inbox, archive_root))
    inventory = merge_inventory(inbox_seen, crawled_entries(staging_root, archive_root))
    inventory.write_parquet(target)
    return inventory


def documents(inventory: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct document (hash): its first sighting."""
    return (
        inventory.sort("first_seen", "origin", "file_name")
        .unique(subset=["sha256"], keep="first", maintain_order=True)
        .sort("sha256")
    )
