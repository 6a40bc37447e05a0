"""Dagster: the definitions load, the `dagster` CLI materializes the assets, and the
webserver (HTTP on loopback) lists the asset graph and launches the ingest job."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from conftest import REPO_ROOT, SEEDS

BIN = Path(sys.executable).parent


def isolated_env(root: Path, inbox: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    # Launch runs at once: without `dagster dev` there is no daemon to dequeue them.
    (home / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: DefaultRunCoordinator\n"
    )
    env.update(
        DAGSTER_HOME=str(home),
        OGI_DATA_DIR=str(root / "data"),
        OGI_INBOX=str(inbox),
        OGI_WAREHOUSE=str(root / "data" / "warehouse.duckdb"),
    )
    return env


@pytest.fixture
def small_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for doc_id in ("seed-002", "seed-004"):
        shutil.copy(SEEDS[doc_id], inbox)
    return inbox


def test_definitions_load() -> None:
    from assets.definitions import defs

    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {
        "raw_documents",
        "parsed_reports",
        "dim_report",
        "fact_outcomes",
        "agg_region_year",
    } <= keys
    assert {s.name for s in repo.schedule_defs} >= {"daily_ingest"}
    assert {s.name for s in repo.sensor_defs} >= {"inbox_sensor"}
    check_names = {k.name for k in repo.asset_graph.asset_check_keys}
    assert {
        "c1_balance",
        "c2_results_sum",
        "c3_row_totals",
        "c4_table4_totals",
        "c5_carry_chain",
    } <= check_names


def test_dagster_cli_materializes_the_ingest_assets(tmp_path: Path, small_inbox: Path) -> None:
    env = isolated_env(tmp_path, small_inbox)
    out = subprocess.run(
        [str(BIN / "dagster"), "job", "execute", "-m", "assets.definitions", "-j", "ingest_job"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    con = duckdb.connect(env["OGI_WAREHOUSE"], read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM dim_report").fetchone()[0] == 2
        assert con.execute("SELECT sum(applications_new) FROM agg_year").fetchone()[0] == 11
    finally:
        con.close()


def test_dagster_asset_materialize_selection(tmp_path: Path, small_inbox: Path) -> None:
    env = isolated_env(tmp_path, small_inbox)
    out = subprocess.run(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "assets.definitions",
            "--select",
            "raw_documents*",  # every asset downstream of the inventory
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert list(
        (Path(env["OGI_DATA_DIR"]) / "staging" / "frames" / "fact_outcomes").glob("*.parquet")
    )
    con = duckdb.connect(env["OGI_WAREHOUSE"], read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM agg_region_year").fetchone()[0] > 0
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(client: httpx.Client, query: str, variables: dict | None = None) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_webserver_lists_assets_and_launches_the_job(tmp_path: Path, small_inbox: Path) -> None:
    env = isolated_env(tmp_path, small_inbox)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "dagster-webserver"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "assets.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/server_info").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "webserver did not come up"
                assert server.poll() is None, "webserver exited"
                time.sleep(0.5)
            nodes = _graphql(client, "{ assetNodes { assetKey { path } } }")["assetNodes"]
            keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
            assert {"raw_documents", "fact_outcomes", "agg_year"} <= keys
            workspace = _graphql(
                client,
                "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }",
            )
            location = workspace["workspaceOrError"]["locationEntries"][0]["name"]
            launched = _graphql(
                client,
                """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
                     __typename ... on LaunchRunSuccess { run { runId } }
                     ... on PythonError { message } } }""",
                {
                    "p": {
                        "selector": {
                            "repositoryLocationName": location,
                            "repositoryName": "__repository__",
                            "jobName": "ingest_job",
                        }
                    }
                },
            )["launchRun"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            run_id = launched["run"]["runId"]
            deadline = time.monotonic() + 240
            status = None
            while time.monotonic() < deadline:
                status = _graphql(
                    client,
                    "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
                    {"id": run_id},
                )["runOrError"]["status"]
                if status in ("SUCCESS", "FAILURE", "CANCELED"):
                    break
                time.sleep(1)
            assert status == "SUCCESS"
    finally:
        server.terminate()
        server.wait(timeout=30)
    con = duckdb.connect(env["OGI_WAREHOUSE"], read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM fact_outcomes").fetchone()[0] > 0
    finally:
        con.close()
