"""Default locations, read from the environment at call time.

One place for the defaults, so the CLI, the Dagster resources, schedules and the UI
agree: OGI_DATA_DIR (default <checkout>/data), OGI_INBOX (default data/samples),
OGI_WAREHOUSE (default data/warehouse.duckdb), OGI_SOURCES (default data/sources.toml).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("OGI_DATA_DIR", REPO_ROOT / "data"))


def inbox() -> Path:
    return Path(os.environ.get("OGI_INBOX", data_dir() / "samples"))


def warehouse_path() -> Path:
    return Path(os.environ.get("OGI_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def sources_path() -> Path:
    return Path(os.environ.get("OGI_SOURCES", data_dir() / "sources.toml"))
