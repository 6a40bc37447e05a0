"""Shared test fixtures: the repository's own sample reports, and the shared corpus
(../shared/corpus) when it is present beside the checkout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = REPO_ROOT / "data" / "samples"
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
SEEDS = {
    "seed-000": SAMPLES / "shandong-weihai-wendeng" / "seed-000.txt",
    "seed-001": SAMPLES / "shandong-weihai-wendeng" / "seed-001.txt",
    "seed-002": SAMPLES / "shandong-qingdao-xihaian" / "seed-002.txt",
    "seed-003": SAMPLES / "shandong-weihai-wendeng" / "seed-003.txt",
    "seed-004": SAMPLES / "shandong-qingdao-xihaian" / "seed-004.txt",
}
GOLD_DIR = REPO_ROOT / "tests" / "fixtures" / "gold"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "docs").is_dir():
        pytest.skip("../shared/corpus is not present beside the checkout")
    return CORPUS


def gold(doc_id: str) -> dict:
    """Hand-verified values; a copy of the corpus gold ships in tests/fixtures/gold."""
    return json.loads((GOLD_DIR / f"{doc_id}.json").read_text("utf-8"))
