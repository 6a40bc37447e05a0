"""`ogi parse --json` prints the SPEC.md parse contract for every seed document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS, gold

OGI = Path(sys.executable).parent / "ogi"
CONTRACT_KEYS = {
    "agency", "year", "published", "region", "format_version", "table2",
    "table2_2019_extra", "table3", "table4", "channels", "checks",
}  # fmt: skip
TABLE3_KEYS = list(gold("seed-002")["table3"])
CHANNEL_KEYS = {"channel_key", "channel", "account_name", "items", "unit", "approximate", "quote"}


def parse_json(path: Path) -> dict:
    out = subprocess.run(
        [str(OGI), "parse", "--json", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_parse_json_is_contract_shaped(doc_id: str) -> None:
    report = parse_json(SEEDS[doc_id])
    assert CONTRACT_KEYS <= set(report)
    assert set(report["region"]) >= {"province", "city", "county", "township", "code"}
    assert list(report["table3"]) == TABLE3_KEYS
    for row in report["table3"].values():
        assert row is None or len(row) == 7
    assert set(report["table4"]) == {"review", "litigation_direct", "litigation_after_review"}
    for row in report["table4"].values():
        assert row is None or len(row) == 5
    assert set(report["checks"]) == {"balance", "results_sum", "row_totals", "table4_totals"}
    for channel in report["channels"]:
        assert CHANNEL_KEYS <= set(channel)
        assert isinstance(channel["items"], int)


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_agency_year_and_channels(doc_id: str) -> None:
    report = parse_json(SEEDS[doc_id])
    expected = gold(doc_id)
    assert report["agency"] == expected["agency"]
    assert report["year"] == expected["year"]
    got = sorted((c["channel_key"], c["items"]) for c in report["channels"])
    want = sorted((c["channel_key"], c["items"]) for c in expected["channels"])
    assert got == want


def test_parse_reports_unreadable_file_without_crashing(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage that is not a pdf")
    report = parse_json(bad)
    assert report["status"] == "failed"
    assert report["error"]
