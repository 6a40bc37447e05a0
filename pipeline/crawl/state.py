"""The fetch log (Parquet, one file per source) and the incremental state read from it.

`<staging>/crawl/<source_id>.parquet` holds every request ever made for the source,
one row each, run after run: it is the record of what was fetched when, and the only
source of truth for the next crawl's conditional requests (no second state file that
could drift). A 304 row repeats the hash, size and validators of the copy it confirms,
so the latest row of a URL always names its current content.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

LOG_SCHEMA: dict[str, pl.DataType] = {
    "source_id": pl.String(),
    "url": pl.String(),
    "final_url": pl.String(),
    "status": pl.Int64(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "etag": pl.String(),
    "last_modified": pl.String(),
    "sha256": pl.String(),
    "size": pl.Int64(),
    "content_type": pl.String(),  # sniffed from the bytes
    "declared_content_type": pl.String(),  # as the server sent it
    "parent_url": pl.String(),
    "kind": pl.String(),  # listing | report_page | attachment | robots
    "is_document": pl.Boolean(),
    "not_modified": pl.Boolean(),
    "error": pl.String(),
    "region": pl.String(),
    # Beyond the contract: what the incremental pipeline needs to know.
    "run_id": pl.String(),  # one id per crawl run of the source
    "attempts": pl.Int64(),  # requests made for this row (retries included)
    "changed": pl.Boolean(),  # new URL, or hash differs from its previous one (never robots)
    "previous_sha256": pl.String(),  # the replaced version, when changed
    "filename": pl.String(),  # from Content-Disposition or the URL, sanitised
}


@dataclass(frozen=True, slots=True)
class UrlState:
    etag: str | None
    last_modified: str | None
    sha256: str
    size: int | None
    content_type: str | None


def log_path(staging_root: str | Path, source_id: str) -> Path:
    return Path(staging_root) / "crawl" / f"{source_id}.parquet"


def empty_log() -> pl.DataFrame:
    return pl.DataFrame(schema=LOG_SCHEMA)


def read_log(staging_root: str | Path, source_id: str) -> pl.DataFrame:
    path = log_path(staging_root, source_id)
    if not path.exists():
        return empty_log()
    return pl.read_parquet(path).cast(LOG_SCHEMA, strict=False).select(list(LOG_SCHEMA))


def rows_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LOG_SCHEMA) if rows else empty_log()


def append_log(staging_root: str | Path, source_id: str, rows: list[dict]) -> Path:
    """Add a run's rows to the source's log; written to a temp file and renamed, so a
    crash mid-write never loses the history the next crawl depends on."""
    path = log_path(staging_root, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pl.concat([read_log(staging_root, source_id), rows_frame(rows)], how="vertical")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".parquet")
    os.close(fd)
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def state_from_log(log: pl.DataFrame) -> dict[str, UrlState]:
    """The last good version of each URL: validators to send and the hash they stand for."""
    good = log.filter(
        pl.col("sha256").is_not_null() & pl.col("error").is_null() & (pl.col("kind") != "robots")
    ).sort("fetched_at")
    state: dict[str, UrlState] = {}
    for row in good.iter_rows(named=True):
        state[row["url"]] = UrlState(
            etag=row["etag"],
            last_modified=row["last_modified"],
            sha256=row["sha256"],
            size=row["size"],
            content_type=row["content_type"],
        )
    return state


def load_state(staging_root: str | Path, source_id: str) -> dict[str, UrlState]:
    return state_from_log(read_log(staging_root, source_id))


def read_all_logs(staging_root: str | Path) -> pl.DataFrame:
    paths = sorted((Path(staging_root) / "crawl").glob("*.parquet"))
    if not paths:
        return empty_log()
    frames = [
        pl.read_parquet(p).cast(LOG_SCHEMA, strict=False).select(list(LOG_SCHEMA)) for p in paths
    ]
    return pl.concat(frames, how="vertical")


def current_documents(staging_root: str | Path) -> pl.DataFrame:
    """One row per document URL: its latest archived version.

    `superseded` lists the older hashes of the same URL, whose facts the new version
    replaces; their bytes stay in the archive, so an old version remains findable.
    """
    log = read_all_logs(staging_root).filter(
        pl.col("is_document") & pl.col("sha256").is_not_null() & pl.col("error").is_null()
    )
    if log.is_empty():
        return log.with_columns(pl.lit(None, pl.List(pl.String)).alias("superseded"))
    log = log.sort("fetched_at")
    history = log.group_by(["source_id", "url"]).agg(
        pl.col("sha256").unique(maintain_order=True).alias("_shas")
    )
    latest = log.group_by(["source_id", "url"], maintain_order=True).last()
    return (
        latest.join(history, on=["source_id", "url"])
        .with_columns(
            pl.col("_shas").list.set_difference(pl.concat_list("sha256")).alias("superseded")
        )
        .drop("_shas")
        .sort(["source_id", "url"])
    )
