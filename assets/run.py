"""Run the ingest job in-process on a persistent Dagster instance (used by `ogi run`).

Runs started here appear in the Dagster UI, because both use the same DAGSTER_HOME
(default: data/dagster_home in the checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.settings import REPO_ROOT


def dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "data" / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch(exist_ok=True)
    return home


def run_ingest(log_level: str = "INFO") -> bool:
    """Materialize every ingest asset and its checks; returns whether the run succeeded."""
    dagster_home()
    from dagster import DagsterInstance

    from assets.definitions import defs

    job = defs.resolve_job_def("ingest_job")
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            raise_on_error=False,
        )
    return result.success
