"""Score metadata, region and channel extraction against the corpus gold.

    .venv/bin/python scripts/score_narrative.py [--corpus ../shared/corpus] [-v]

Agency (exact) and year are scored on every corpus document: against gold/<id>.json
when there is one, else against the README's file table. Region province/city/county
are scored where gold has a value. Channels: precision and recall over
(channel_key, items) pairs of the gold documents. Failures are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.metadata import extract_metadata  # noqa: E402
from pipeline.narrative import extract_channels  # noqa: E402
from pipeline.region import resolve_region  # noqa: E402

# Regions the sources declare (the seed inbox folders): what a crawl source would pass.
SOURCE_HINTS = {
    "seed-000": "山东省威海市文登区",
    "seed-001": "山东省威海市文登区",
    "seed-002": "山东省青岛市黄岛区",
    "seed-003": "山东省威海市文登区",
    "seed-004": "山东省青岛市黄岛区",
}


def read_text(path: Path) -> tuple[str, dict[str, str]]:
    """Text and container metadata via the project's readers."""
    from pipeline.readers import read_document

    doc = read_document(path)
    return doc.text, dict(doc.meta)


def readme_table(corpus: Path) -> dict[str, tuple[str, int]]:
    """id → (agency, year) from the README's file table."""
    out = {}
    for line in (corpus / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[3].isdigit() and re.match(r"[a-z]", cells[0]):
            out[cells[0]] = (cells[2], int(cells[3]))
    return out


def pairs(channels: list[dict]) -> Counter:
    return Counter(
        (c["channel_key"], int(c["items"])) for c in channels if c.get("items") is not None
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}")
        return 2
    table = readme_table(corpus)
    stats = Counter()
    failures: list[str] = []
    for path in sorted((corpus / "docs").iterdir()):
        doc_id = path.stem
        gold_path = corpus / "gold" / f"{doc_id}.json"
        gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.exists() else None
        want_agency, want_year = (
            (gold["agency"], gold["year"]) if gold else table.get(doc_id, (None, None))
        )
        text, meta = read_text(path)
        md = extract_metadata(text, meta)
        if want_agency is not None:
            stats["agency_n"] += 1
            if md["agency"] == want_agency:
                stats["agency_ok"] += 1
            else:
                failures.append(
                    f"{doc_id}: agency {md['agency']!r} != {want_agency!r} ({md['evidence'].get('agency')})"
                )
        if want_year is not None:
            stats["year_n"] += 1
            if md["year"] == want_year:
                stats["year_ok"] += 1
            else:
                failures.append(
                    f"{doc_id}: year {md['year']!r} != {want_year!r} ({md['evidence'].get('year')})"
                )
        if gold is None:
            continue
        region = resolve_region(md["agency"], text, SOURCE_HINTS.get(doc_id))
        for level in ("province", "city", "county"):
            want = (gold.get("region") or {}).get(level)
            if want is None:
                continue
            stats["region_n"] += 1
            if region.get(level) == want:
                stats["region_ok"] += 1
            else:
                failures.append(
                    f"{doc_id}: region.{level} {region.get(level)!r} != {want!r} "
                    f"(rule: {region.get('rule')}; reason: {region.get('reason')})"
                )
        got, want_pairs = pairs(extract_channels(text)), pairs(gold.get("channels") or [])
        tp = sum((got & want_pairs).values())
        stats["tp"] += tp
        stats["got"] += sum(got.values())
        stats["want"] += sum(want_pairs.values())
        for k in got - want_pairs:
            failures.append(f"{doc_id}: channel false positive {k}")
        for k in want_pairs - got:
            failures.append(f"{doc_id}: channel missed {k}")
        if args.verbose:
            print(
                doc_id, md["agency"], md["year"], region.get("code"), region.get("rule"), dict(got)
            )

    def ratio(a: str, b: str) -> str:
        return f"{stats[a]}/{stats[b]} = {stats[a] / stats[b]:.3f}" if stats[b] else "n/a"

    print("failures:")
    for f in failures:
        print("  " + f)
    print(f"agency exact   {ratio('agency_ok', 'agency_n')}")
    print(f"year           {ratio('year_ok', 'year_n')}")
    print(f"region p/c/c   {ratio('region_ok', 'region_n')}")
    print(f"channels P     {ratio('tp', 'got')}")
    print(f"channels R     {ratio('tp', 'want')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
