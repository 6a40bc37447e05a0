"""Parse every inventoried document, in worker processes, into a JSON cache.

Workers only read archived bytes and write one JSON file each; none of them touches
the warehouse (one writer loads it later). A cached result is reused while the
document hash, the parser version and the region hint are unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.report import PARSER_VERSION, failed_report, parse_file

Progress = Callable[[int, int, str], None]


def cache_path(staging_root: Path, sha256: str) -> Path:
    return staging_root / "parsed" / f"{sha256}.json"


def _cached(staging_root: Path, sha256: str, region_hint: str | None) -> dict[str, Any] | None:
    """A cached parse that is still valid: same parser version and region hint."""
    report = load_cached(staging_root, sha256)
    if report is None:
        return None
    if report.get("parser_version") != PARSER_VERSION or report.get("region_hint") != region_hint:
        return None
    return report


def _parse_one(archive_path: str, region_hint: str | None, target: str) -> dict[str, Any]:
    try:
        report = parse_file(archive_path, region_hint=region_hint)
    except Exception as exc:  # noqa: BLE001 - a crash on one document must not stop the run
        report = failed_report({"path": archive_path}, f"{type(exc).__name__}: {exc}")
    report["region_hint"] = region_hint
    _write(report, Path(target))
    return report


def _write(report: dict[str, Any], target: Path) -> None:
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, default=str), "utf-8")
    os.replace(tmp, target)


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    source = report.get("source") or {}
    return {
        "status": report.get("status"),
        "error": report.get("error"),
        "name": source.get("name") or source.get("path"),
    }


def load_cached(staging_root: str | Path, sha256: str) -> dict[str, Any] | None:
    """The cached parse of one document (whatever its version), or None."""
    path = cache_path(Path(staging_root), sha256)
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def parse_documents(
    documents: pl.DataFrame,
    staging_root: str | Path,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Parse (or reuse) every document into the JSON cache.

    Returns a small summary per sha256 (status, error, name); the reports themselves
    stay on disk, so memory does not grow with the number of documents.
    """
    staging_root = Path(staging_root)
    (staging_root / "parsed").mkdir(parents=True, exist_ok=True)
    summaries: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, str, str | None]] = []
    for row in documents.iter_rows(named=True):
        cached = _cached(staging_root, row["sha256"], row["region_hint"])
        if cached is not None:
            summaries[row["sha256"]] = _summary(cached)
        else:
            todo.append((row["sha256"], row["archive_path"], row["region_hint"]))
    total = len(documents)
    done = len(summaries)
    if progress:
        progress(done, total, f"{done} cached")
    workers = workers or min(len(todo), os.cpu_count() or 1)
    if workers <= 1 or len(todo) <= 1:
        for sha, path, hint in todo:
            summaries[sha] = _summary(_parse_one(path, hint, str(cache_path(staging_root, sha))))
            done += 1
            if progress:
                progress(done, total, Path(path).name)
        return summaries
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_parse_one, path, hint, str(cache_path(staging_root, sha))): (sha, path)
            for sha, path, hint in todo
        }
        for future, (sha, path) in futures.items():
            try:
                summaries[sha] = _summary(future.result())
            except Exception as exc:  # noqa: BLE001 - e.g. a worker killed by the OS
                report = failed_report({"path": path}, f"worker failed: {exc}")
                report["region_hint"] = "<retry>"  # never a cache hit: parse again next run
                _write(report, cache_path(staging_root, sha))
                summaries[sha] = _summary(report)
            done += 1
            if progress:
                progress(done, total, Path(path).name)
    return summaries
