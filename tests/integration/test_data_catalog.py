"""`dbt-cloud demo data-catalog` without a terminal: what it prints, where it gets the catalog (a file,
a run, a job's latest run with docs, through the recorded API on 127.0.0.1), and its errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN, Outcome, invoke
from tests.support.catalog_artifacts import ARTIFACTS, table, write_catalog
from tests.support.recorded_api import RecordedApi

REAL = ARTIFACTS / "real"
WAREHOUSE = ARTIFACTS / "warehouse"


def catalog_cli(*args: str) -> Outcome:
    return invoke(["demo", "data-catalog", *args])


def test_a_summary_of_the_catalog_as_json() -> None:
    outcome = catalog_cli("-f", str(REAL))
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["counts"] == {"model": 5, "seed": 3}
    assert document["manifest"] is True
    assert document["metadata"]["dbt_version"] == "1.11.16"
    assert [n["unique_id"] for n in document["nodes"]][:2] == [
        "model.jaffle_shop.customers",
        "model.jaffle_shop.orders",
    ]
    assert outcome.stderr == ""


def test_a_summary_as_a_table() -> None:
    outcome = catalog_cli("-f", str(WAREHOUSE / "catalog.json"), "-o", "table")
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert lines[0].endswith(
        "3 models, 1 seed, 2 sources, 1 snapshot (dbt 1.11.2, generated 2024-05-02T07:00:00.000000Z)"
    )
    assert lines[1].split() == ["TYPE", "SCHEMA", "NAME", "RELATION", "TYPE", "COLUMNS"]
    assert ["source", "RAW.SHOP", "raw.orders", "BASE", "TABLE", "5"] in [line.split() for line in lines]


def test_one_node_as_json_with_the_manifest_joined() -> None:
    outcome = catalog_cli("-f", str(REAL), "--node", "orders")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["unique_id"] == "model.jaffle_shop.orders"
    customer_id = document["columns"][1]
    assert customer_id["name"] == "customer_id"
    assert customer_id["description"] == "Foreign key to the customers table"
    assert sorted(test["name"] for test in customer_id["tests"]) == ["not_null", "relationships"]
    assert document["parents"] == ["model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"]


def test_one_node_as_the_explorers_text() -> None:
    outcome = catalog_cli("-f", str(WAREHOUSE), "--node", "marts.dim_customers", "-o", "table")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("model.shop.dim_customers\n")
    assert (
        "  owner        alice@example.com, group finance (Finance team <finance@example.com>), TRANSFORMER"
        in outcome.stdout
    )
    assert "1,234 rows · 5.6 MiB · last modified 2024-05-01 10:00UTC" in outcome.stdout


def test_search_as_json_and_table() -> None:
    outcome = catalog_cli("-f", str(WAREHOUSE), "--search", "*_id")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["pattern"] == "*_id"
    assert document["count"] == len(document["matches"]) == 6
    first = document["matches"][0]
    assert (first["unique_id"], first["column"], first["description"]) == (
        "model.shop.dim_customers",
        "CUSTOMER_ID",
        "Primary key of a customer.",
    )
    table_outcome = catalog_cli("-f", str(WAREHOUSE), "--search", "email", "-o", "table")
    assert table_outcome.stdout.splitlines()[0] == "3 columns in 3 tables match 'email'."


def test_without_a_manifest_beside_it(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_bytes((REAL / "catalog.json").read_bytes())
    outcome = catalog_cli("-f", str(tmp_path), "--node", "customers")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["manifest"] is False
    assert document["columns"][0]["description"] == ""


def test_a_manifest_named_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_bytes((REAL / "catalog.json").read_bytes())
    outcome = catalog_cli("-f", str(tmp_path), "--manifest", str(REAL / "manifest.json"), "--node", "customers")
    assert json.loads(outcome.stdout)["columns"][0]["description"] == "This is a unique identifier for a customer"


def test_a_broken_manifest_beside_the_catalog_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_bytes((REAL / "catalog.json").read_bytes())
    (tmp_path / "manifest.json").write_text("{truncated")
    outcome = catalog_cli("-f", str(tmp_path), "--node", "customers")
    assert outcome.exit_code == 0
    reason = "is not JSON (key must be a string at line 1 column 2)"
    assert outcome.stderr_lines == [f"Warning: {tmp_path / 'manifest.json'} {reason}; going on without it"]
    assert json.loads(outcome.stdout)["manifest"] is False


def test_catalog_json_in_the_current_directory_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_catalog(tmp_path, table("model.p.here", ["a"]))
    monkeypatch.chdir(tmp_path)
    outcome = catalog_cli("--node", "here")
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["unique_id"] == "model.p.here"


# --- bad input: one line, exit 2 --------------------------------------------------------------------------


def _one_line_error(outcome: Outcome) -> str:
    assert outcome.exit_code == 2, outcome
    assert outcome.stdout == ""
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    return outcome.stderr_lines[0]


def test_bad_inputs_each_get_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert _one_line_error(catalog_cli("-f", str(missing))) == f"Error: {missing} does not exist"
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    assert _one_line_error(catalog_cli("-f", str(not_json))).startswith(f"Error: {not_json} is not JSON")
    run_results = REAL / "run_results.json"
    assert _one_line_error(catalog_cli("-f", str(run_results))) == (
        f"Error: {run_results} is a dbt run_results.json (schema run-results v6), not a catalog.json"
    )
    future = write_catalog(tmp_path, version="https://schemas.getdbt.com/dbt/catalog/v2.json")
    assert _one_line_error(catalog_cli("-f", str(future))).startswith(
        f"Error: {future} is a catalog.json of schema version v2, which this version of dbt-cloud does not know"
    )
    assert _one_line_error(catalog_cli("-f", str(REAL), "--manifest", str(run_results))) == (
        f"Error: {run_results} is a dbt run_results.json (schema run-results v6), not a manifest.json"
    )


def test_an_unknown_node_suggests_near_names() -> None:
    line = _one_line_error(catalog_cli("-f", str(REAL), "--node", "custmers"))
    suggestion = "(did you mean customers, stg_customers, raw_customers?)"
    assert line == f"Error: No table named 'custmers' in {REAL / 'catalog.json'} {suggestion}"


def test_an_ambiguous_node_asks_for_the_unique_id(tmp_path: Path) -> None:
    write_catalog(tmp_path, table("model.a.orders", ["x"], schema="one"), table("model.b.orders", ["y"], schema="two"))
    line = _one_line_error(catalog_cli("-f", str(tmp_path), "--node", "orders"))
    assert line == "Error: 'orders' names 2 tables (model.a.orders, model.b.orders); give its unique id"
    assert json.loads(catalog_cli("-f", str(tmp_path), "--node", "two.orders").stdout)["unique_id"] == "model.b.orders"


def test_nothing_to_explore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = _one_line_error(catalog_cli())
    assert line.startswith("Error: No catalog to explore: there is no catalog.json here, and no --file, --run-id")


def test_a_run_without_an_account(tmp_path: Path) -> None:
    line = _one_line_error(catalog_cli("--run-id", "5"))
    assert line.startswith("Error: No account id to download the catalog from")


# --- downloading through the API ----------------------------------------------------------------------------


@pytest.fixture
def served(api: RecordedApi) -> RecordedApi:
    api.artifacts["catalog.json"] = (REAL / "catalog.json").read_bytes()
    api.artifacts["manifest.json"] = (REAL / "manifest.json").read_bytes()
    return api


def _artifact_requests(api: RecordedApi) -> list[str]:
    return [r.path for r in api.requests_to("GET", r"/artifacts/")]


def test_a_run_s_catalog_and_manifest_are_downloaded(served: RecordedApi, cli: Any) -> None:
    outcome = cli("demo", "data-catalog", "--run-id", "34929305", "--node", "customers")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["columns"][0]["description"] == "This is a unique identifier for a customer"
    assert _artifact_requests(served) == [
        "/api/v2/accounts/123456/runs/34929305/artifacts/catalog.json",
        "/api/v2/accounts/123456/runs/34929305/artifacts/manifest.json",
    ]
    assert "Downloaded catalog.json (6.6 KiB)" in outcome.stderr
    assert TOKEN not in outcome.stdout + outcome.stderr


def test_the_step_is_passed_on(served: RecordedApi, cli: Any) -> None:
    outcome = cli("demo", "data-catalog", "--run-id", "7", "--step", "2")
    assert outcome.exit_code == 0, outcome.stderr
    assert {r.query.get("step", [""])[0] for r in served.requests_to("GET", "/artifacts/")} == {"2"}


def test_a_job_s_latest_successful_run_with_docs(served: RecordedApi, cli: Any) -> None:
    served.add_runs(1, job_definition_id=42, status=10, has_docs_generated=True)  # run 1
    served.add_runs(1, job_definition_id=42, status=10, has_docs_generated=True)  # run 2: the one
    served.add_runs(1, job_definition_id=42, status=10, has_docs_generated=False)  # run 3: no docs
    served.add_runs(1, job_definition_id=42, status=20, has_docs_generated=True)  # run 4: failed
    served.add_runs(1, job_definition_id=99, status=10, has_docs_generated=True)  # run 5: another job
    outcome = cli("demo", "data-catalog", "--job-id", "42", "--search", "customer_id")
    assert outcome.exit_code == 0, outcome.stderr
    (listing,) = served.requests_to("GET", r"/runs/$")
    assert {k: v[0] for k, v in listing.query.items()} == {
        "job_definition_id": "42",
        "status": "10",
        "order_by": "-id",
        "limit": "100",
        "offset": "0",
    }
    assert _artifact_requests(served)[0] == "/api/v2/accounts/123456/runs/2/artifacts/catalog.json"
    assert "Using run 2, the latest successful run of job 42 that generated docs" in outcome.stderr
    assert json.loads(outcome.stdout)["count"] == 4


def test_the_job_from_the_environment_when_there_is_no_local_catalog(
    served: RecordedApi, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served.add_runs(2, job_definition_id=42, status=10, has_docs_generated=True)
    monkeypatch.chdir(tmp_path)
    outcome = cli("demo", "data-catalog", env={"DBT_CLOUD_JOB_ID": "42"})
    assert outcome.exit_code == 0, outcome.stderr
    assert _artifact_requests(served)[0] == "/api/v2/accounts/123456/runs/2/artifacts/catalog.json"
    # With a catalog.json here, that one is read, as dbt-cloud-cli did, and nothing is downloaded.
    write_catalog(tmp_path, table("model.p.local", ["a"]))
    served.requests.clear()
    outcome = cli("demo", "data-catalog", env={"DBT_CLOUD_JOB_ID": "42"})
    assert json.loads(outcome.stdout)["counts"] == {"model": 1}
    assert served.requests == []


def test_the_account_s_latest_run_when_nothing_else_is_given(
    served: RecordedApi, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served.add_runs(3, status=10, has_docs_generated=True)
    monkeypatch.chdir(tmp_path)
    outcome = cli("demo", "data-catalog", "--node", "orders")
    assert outcome.exit_code == 0, outcome.stderr
    (listing,) = served.requests_to("GET", r"/runs/$")
    assert "job_definition_id" not in listing.query
    assert "Using run 3, the latest successful run of account 123456 that generated docs" in outcome.stderr


def test_no_successful_run_with_docs(served: RecordedApi, cli: Any) -> None:
    served.add_runs(2, job_definition_id=42, status=10, has_docs_generated=False)
    outcome = cli("demo", "data-catalog", "--job-id", "42")
    assert outcome.exit_code == 1
    assert outcome.stderr_lines == [
        "Error: None of the 2 latest successful runs of job 42 generated docs (catalog.json) "
        "(run `dbt docs generate` in a job, or give --run-id or --file)"
    ]
    outcome = cli("demo", "data-catalog", "--job-id", "43")
    assert outcome.stderr_lines == ["Error: Job 43 has no successful run to read a catalog from"]


def test_a_run_without_a_catalog(served: RecordedApi, cli: Any) -> None:
    del served.artifacts["catalog.json"]
    outcome = cli("demo", "data-catalog", "--run-id", "9")
    assert outcome.exit_code == 1
    assert outcome.stderr_lines[-1].startswith(
        "Error: Run 9 has no catalog.json (only runs that ran `dbt docs generate`"
    )


def test_a_run_without_a_manifest_still_shows_its_catalog(served: RecordedApi, cli: Any) -> None:
    del served.artifacts["manifest.json"]
    outcome = cli("demo", "data-catalog", "--run-id", "9", "--node", "customers")
    assert outcome.exit_code == 0, outcome.stderr
    assert "Run 9 has no manifest.json: descriptions, tests and lineage will not be shown" in outcome.stderr
    assert json.loads(outcome.stdout)["manifest"] is False


def test_a_downloaded_file_that_is_not_a_catalog(served: RecordedApi, cli: Any) -> None:
    served.artifacts["catalog.json"] = (REAL / "run_results.json").read_bytes()
    outcome = cli("demo", "data-catalog", "--run-id", "9")
    assert outcome.exit_code == 2
    assert outcome.stderr_lines[-1].endswith(
        "catalog.json is a dbt run_results.json (schema run-results v6), not a catalog.json"
    )


def test_a_manifest_named_with_a_run_is_used_instead_of_the_run_s(served: RecordedApi, cli: Any) -> None:
    outcome = cli(
        "demo", "data-catalog", "--run-id", "9", "--manifest", str(REAL / "manifest.json"), "--node", "orders"
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert _artifact_requests(served) == ["/api/v2/accounts/123456/runs/9/artifacts/catalog.json"]
    assert json.loads(outcome.stdout)["description"].startswith("This table has basic information about orders")


def test_big_files_are_announced_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dbt_cloud.cli.commands.demo.ANNOUNCE_BYTES", 1000)
    outcome = catalog_cli("-f", str(REAL), "--node", "orders")
    assert outcome.stderr_lines == ["Reading catalog.json (6.6 KiB)...", "Reading manifest.json (640.5 KiB)..."]


def test_node_and_search_together_is_a_usage_error() -> None:
    line = _one_line_error(catalog_cli("-f", str(REAL), "--node", "orders", "--search", "id"))
    assert line == "Error: Give --node or --search, not both (see 'dbt-cloud demo data-catalog --help')"


def test_debug_logs_the_downloads_without_the_token(served: RecordedApi, cli: Any) -> None:
    outcome = cli("--debug", "demo", "data-catalog", "--run-id", "5", "--node", "customers")
    assert outcome.exit_code == 0, outcome.stderr
    assert "debug: " in outcome.stderr
    assert "/runs/5/artifacts/catalog.json" in outcome.stderr
    assert TOKEN not in outcome.stderr
