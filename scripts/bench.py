"""Benchmark: parse throughput per format and warehouse load time, with peak memory.

    .venv/bin/python scripts/bench.py [--rounds 3] [--copies 200]

Parses the bundled samples (and ../shared/corpus/docs when present) `--rounds` times,
then loads `--copies` copies of each parsed report (distinct ids) into a fresh DuckDB
file through the same frames → Parquet → single-writer path as the pipeline. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402

from pipeline.frames import TABLES, stage_frames  # noqa: E402
from pipeline.inventory import REPORT_SUFFIXES  # noqa: E402
from pipeline.region import region_hierarchy  # noqa: E402
from pipeline.report import parse_file  # noqa: E402
from pipeline.warehouse import build_models, connect, load_staging  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--copies", type=int, default=200)
    args = ap.parse_args()
    files = sorted(p for p in (REPO / "data" / "samples").rglob("*") if p.suffix in REPORT_SUFFIXES)
    corpus = REPO.parent / "shared" / "corpus" / "docs"
    if corpus.is_dir():
        files += sorted(corpus.iterdir())
    timings: dict[str, list[float]] = defaultdict(list)
    reports = {}
    for _ in range(args.rounds):
        for path in files:
            start = time.perf_counter()
            report = parse_file(path)
            timings[path.suffix.lstrip(".")].append(time.perf_counter() - start)
            reports[report["source"]["sha256"]] = (path, report)
    print(f"parse: {len(files)} files x {args.rounds} rounds, one process")
    for fmt, times in sorted(timings.items()):
        mean = sum(times) / len(times)
        print(
            f"  {fmt:5} {len(times):4} parses  mean {mean * 1000:8.1f} ms  max {max(times) * 1000:8.1f} ms  ({1 / mean:6.1f} docs/s)"
        )
    total = sum(sum(t) for t in timings.values())
    n = sum(len(t) for t in timings.values())
    print(f"  all   {n:4} parses  {n / total:.1f} docs/s;  peak RSS {peak_rss_mb():.0f} MB")

    docs, by_sha = [], {}
    for i in range(args.copies):
        for path, report in reports.values():
            sha = f"{i:08x}{report['source']['sha256'][8:]}"
            docs.append(
                {"sha256": sha, "file_name": path.name, "source_id": "bench", "format": path.suffix}
            )
            by_sha[sha] = report
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        stage_frames(pl.DataFrame(docs), tmp, by_sha.get, region_hierarchy)
        t_frames = time.perf_counter() - start
        con = connect(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        counts = load_staging(con, Path(tmp) / "frames", TABLES)
        t_load = time.perf_counter() - start
        start = time.perf_counter()
        build_models(con)
        t_models = time.perf_counter() - start
        con.close()
    rows = sum(counts.values())
    print(f"load: {len(docs)} reports, {rows} fact/dim rows")
    print(
        f"  frames + parquet {t_frames:.2f} s, duckdb load {t_load:.2f} s, aggregates {t_models:.2f} s"
    )
    print(
        f"  {len(docs) / (t_frames + t_load + t_models):.0f} reports/s end to end;  peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
