"""The Discovery (GraphQL) API of the local runner, after real runs of the demo jobs.

The demo project is registered once more on the session's runner, so this module's environment
holds exactly two runs: the docs job (source freshness, build, docs generate) and then the failing
job (a subset of the models and the test that fails). What the API answers is checked against the
artifacts those runs wrote, fetched through the Administrative API as any client would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dbt_cloud.local.bootstrap import demo_project_dir, register_project
from tests.support.local_runner import LocalRunner

MODELS_PAGE = """
query Models($environmentId: BigInt!, $first: Int, $after: String) {
  environment(id: $environmentId) {
    applied {
      models(first: $first, after: $after) {
        totalCount
        pageInfo { endCursor hasNextPage }
        edges { node { ...model } }
      }
    }
  }
}
fragment model on ModelAppliedStateNode {
  uniqueId name database schema alias materializedType
  catalog { columns { name type description comment index } stats { id value } }
  executionInfo { lastRunId lastRunStatus lastRunError executionTime lastSuccessRunId executeCompletedAt }
}
"""


@dataclass
class Environment:
    runner: LocalRunner
    environment_id: int
    jobs: dict[str, int]
    docs_run: int
    failing_run: int

    def post(self, body: Any, **headers: str) -> httpx.Response:
        with httpx.Client(base_url=self.runner.base_url, timeout=60) as client:
            sent = {"Authorization": f"Bearer {self.runner.token}", **headers}
            if isinstance(body, bytes):
                return client.post("/graphql", content=body, headers=sent)
            return client.post("/graphql", json=body, headers=sent)

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.post({"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert "errors" not in answer, answer["errors"]
        return dict(answer["data"])

    def artifact(self, run_id: int, name: str, step: int | None = None) -> Any:
        with self.runner.http() as http:
            params = {"step": step} if step else {}
            response = http.get(
                f"/api/v2/accounts/{self.runner.account_id}/runs/{run_id}/artifacts/{name}", params=params
            )
            response.raise_for_status()
            return response.json()


def _run(runner: LocalRunner, job_id: int) -> int:
    with runner.http() as http:
        answer = http.post(f"/api/v2/accounts/{runner.account_id}/jobs/{job_id}/run/", json={"cause": "discovery"})
        run_id = int(answer.json()["data"]["id"])
    runner.wait_for_run(run_id, timeout=600)
    return run_id


@pytest.fixture(scope="module")
def environment(local_runner: LocalRunner) -> Environment:
    store = local_runner.store()
    try:
        registered = register_project(store, local_runner.account_id, demo_project_dir(), local_runner.data_dir)
    finally:
        store.close()
    docs_run = _run(local_runner, registered.jobs["docs"])
    failing_run = _run(local_runner, registered.jobs["failing"])
    return Environment(local_runner, registered.environment_id, registered.jobs, docs_run, failing_run)


def _results(environment: Environment, run_id: int, step: int | None = None) -> dict[str, dict[str, Any]]:
    document = environment.artifact(run_id, "run_results.json", step)
    return {result["unique_id"]: result for result in document["results"]}


def test_every_model_comes_back_paged_with_its_catalog_and_last_run(environment: Environment) -> None:
    manifest = environment.artifact(environment.failing_run, "manifest.json")
    catalog = environment.artifact(environment.docs_run, "catalog.json")
    # After dbt Cloud's clone, profile and deps steps: freshness (4), build (5), docs generate (6).
    docs_build = _results(environment, environment.docs_run, step=5)
    failing_build = _results(environment, environment.failing_run)
    expected = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}

    seen: dict[str, dict[str, Any]] = {}
    pages, after = 0, None
    while True:
        answer = environment.query(MODELS_PAGE, environmentId=environment.environment_id, first=4, after=after)
        models = answer["environment"]["applied"]["models"]
        assert models["totalCount"] == len(expected)
        pages += 1
        seen.update({edge["node"]["uniqueId"]: edge["node"] for edge in models["edges"]})
        if not models["pageInfo"]["hasNextPage"]:
            break
        after = models["pageInfo"]["endCursor"]
    assert pages >= 2
    assert set(seen) == expected
    for unique_id, node in seen.items():
        columns = [column["name"] for column in node["catalog"]["columns"]]
        assert columns == list(catalog["nodes"][unique_id]["columns"]), unique_id
        assert all(column["type"] for column in node["catalog"]["columns"])
        # The last run status is from the newest run that ran the model: the failing job ran a subset.
        last = failing_build.get(unique_id) or docs_build[unique_id]
        run = environment.failing_run if unique_id in failing_build else environment.docs_run
        info = node["executionInfo"]
        assert (info["lastRunStatus"], info["lastRunId"]) == (last["status"], run), unique_id
        assert info["executionTime"] == pytest.approx(last["execution_time"])
    # Both runs are in the merge: some models were last run by each.
    assert {node["executionInfo"]["lastRunId"] for node in seen.values()} == {
        environment.docs_run,
        environment.failing_run,
    }


def test_the_failing_test_shows_its_failure_and_message(environment: Environment) -> None:
    failed = [r for r in _results(environment, environment.failing_run).values() if r["status"] == "fail"]
    assert failed, "the demo's failing job should fail a test"
    answer = environment.query(
        """query($id: BigInt!) { environment(id: $id) { applied {
             tests(first: 500, filter: {status: "fail"}) { totalCount edges { node {
               uniqueId name lastKnownResult
               executionInfo { lastRunId lastRunStatus lastRunError lastRunFailures } } } } } } }""",
        id=environment.environment_id,
    )
    tests = answer["environment"]["applied"]["tests"]
    nodes = {edge["node"]["uniqueId"]: edge["node"] for edge in tests["edges"]}
    assert set(nodes) == {result["unique_id"] for result in failed}
    for result in failed:
        node = nodes[result["unique_id"]]
        assert node["lastKnownResult"] == "fail"
        assert node["executionInfo"] == {
            "lastRunId": environment.failing_run,
            "lastRunStatus": "fail",
            "lastRunError": result["message"],
            "lastRunFailures": result["failures"],
        }


def test_job_lists_the_runs_models_with_status_and_execution_time(environment: Environment) -> None:
    results = _results(environment, environment.failing_run)
    answer = environment.query(
        """query($job: BigInt!) { job(id: $job) { id runId
             models { uniqueId status error executionTime executeCompletedAt }
             tests { uniqueId status error } } }""",
        job=environment.jobs["failing"],
    )
    job = answer["job"]
    assert (job["id"], job["runId"]) == (environment.jobs["failing"], environment.failing_run)
    ran = [model for model in job["models"] if model["status"] is not None]
    assert {model["uniqueId"] for model in ran} == {uid for uid in results if uid.startswith("model.")}
    for model in ran:
        result = results[model["uniqueId"]]
        assert model["status"] == result["status"]
        assert model["executionTime"] == pytest.approx(result["execution_time"])
        assert model["executeCompletedAt"]
    failed = [test for test in job["tests"] if test["status"] == "fail"]
    assert failed
    assert all(test["error"] == results[test["uniqueId"]]["message"] for test in failed)
    # An earlier run of the job, by runId: the docs job's only run.
    docs = environment.query(
        "query($job: BigInt!, $run: BigInt) { job(id: $job, runId: $run) { runId models { status } } }",
        job=environment.jobs["docs"],
        run=environment.docs_run,
    )["job"]
    assert docs["runId"] == environment.docs_run
    assert docs["models"]
    assert all(model["status"] == "success" for model in docs["models"])


def test_a_source_shows_its_freshness(environment: Environment) -> None:
    sources = environment.artifact(environment.docs_run, "sources.json")["results"]
    answer = environment.query(
        """query($id: BigInt!) { environment(id: $id) { applied { sources(first: 10) { edges { node {
             uniqueId sourceName name
             freshness { freshnessChecked freshnessStatus maxLoadedAt maxLoadedAtTimeAgoInS freshnessRunId
                         criteria { warnAfter { count period } errorAfter { count period } } }
             catalog { columns { name } } } } } } } }""",
        id=environment.environment_id,
    )
    nodes = {edge["node"]["uniqueId"]: edge["node"] for edge in answer["environment"]["applied"]["sources"]["edges"]}
    assert sources
    assert set(nodes) == {result["unique_id"] for result in sources}
    for result in sources:
        freshness = nodes[result["unique_id"]]["freshness"]
        assert freshness["freshnessChecked"] is True
        assert freshness["freshnessStatus"] == result["status"]
        assert freshness["maxLoadedAt"] == result["max_loaded_at"]
        assert freshness["freshnessRunId"] == environment.docs_run
        assert freshness["criteria"]["warnAfter"] == result["criteria"]["warn_after"]
        assert nodes[result["unique_id"]]["catalog"]["columns"]


def test_what_dbt_labs_tools_ask_is_answered(environment: Environment) -> None:
    manifest = environment.artifact(environment.failing_run, "manifest.json")
    model_id = "model.dbt_cloud_demo.dim_stations"
    answer = environment.query(
        """query($id: BigInt!, $filter: AppliedResourcesFilter!, $model: String!, $ranTwice: String!) {
             environment(id: $id) { applied {
               resources(filter: $filter, first: 10) { edges { node {
                 __typename uniqueId ... on ModelAppliedStateNode { modelingLayer parents { uniqueId } } } } }
               marts: models(filter: {modelingLayer: "marts"}, sort: {field: name, direction: desc}) {
                 edges { node { name } } }
               packages(resource: model)
               lineage(filter: {types: [Model, Source]}) {
                 uniqueId resourceType ... on LineageNodeWithParents { parentIds } }
               modelHistoricalRuns(uniqueId: $ranTwice, lastRunCount: 5) {
                 runId status executionTime tests { name status } }
               models(filter: {uniqueIds: [$model]}) { edges { node {
                 ancestors(types: [Source]) {
                   name ... on SourceAppliedStateNestedNode { freshness { freshnessStatus } } }
                 children { __typename uniqueId } } } }
             }
             definition { exposures(first: 5) { totalCount } models(first: 1) { totalCount } } } }""",
        id=environment.environment_id,
        filter={"types": ["Model", "Source"], "uniqueIds": [model_id, "source.dbt_cloud_demo.gbfs.station_status"]},
        model=model_id,
        ranTwice="model.dbt_cloud_demo.fct_rentals",  # upstream of the failing test: both jobs ran it
    )
    applied = answer["environment"]["applied"]
    resources = {edge["node"]["uniqueId"]: edge["node"] for edge in applied["resources"]["edges"]}
    assert resources[model_id]["__typename"] == "ModelAppliedStateNode"
    assert resources[model_id]["modelingLayer"] == "marts"
    assert {parent["uniqueId"] for parent in resources[model_id]["parents"]} == set(manifest["parent_map"][model_id])
    assert resources["source.dbt_cloud_demo.gbfs.station_status"]["__typename"] == "SourceAppliedStateNode"
    marts = [edge["node"]["name"] for edge in applied["marts"]["edges"]]
    assert marts == sorted(marts, reverse=True)
    assert "dim_stations" in marts
    assert "stg_stations" not in marts
    assert applied["packages"] == ["dbt_cloud_demo"]
    lineage = {node["uniqueId"]: node for node in applied["lineage"]}
    assert set(lineage[model_id]["parentIds"]) == set(manifest["parent_map"][model_id])
    assert {node["resourceType"] for node in lineage.values()} == {"model", "source"}
    history = applied["modelHistoricalRuns"]
    assert [run["runId"] for run in history] == [environment.failing_run, environment.docs_run]
    assert all(run["status"] == "success" and run["tests"] for run in history)
    model = applied["models"]["edges"][0]["node"]
    assert [source["name"] for source in model["ancestors"]] == ["station_status"]
    assert model["ancestors"][0]["freshness"]["freshnessStatus"] in ("pass", "warn", "error")
    assert {child["uniqueId"] for child in model["children"]} == set(manifest["child_map"][model_id])
    definition = answer["environment"]["definition"]
    assert definition["exposures"]["totalCount"] == len(manifest["exposures"])
    assert definition["models"]["totalCount"] == sum(
        1 for node in manifest["nodes"].values() if node["resource_type"] == "model"
    )


def test_introspection_returns_the_schema(environment: Environment) -> None:
    answer = environment.query(
        """{ __schema { queryType { fields { name args { name type { kind name ofType { name } } } } } }
             model: __type(name: "ModelAppliedStateNode") { fields { name } } }"""
    )
    fields = {field["name"]: field for field in answer["__schema"]["queryType"]["fields"]}
    assert {"environment", "job", "modelByEnvironment", "models", "model", "tests", "sources"} <= set(fields)
    assert fields["environment"]["args"][0]["type"]["ofType"]["name"] == "BigInt"
    names = {field["name"] for field in answer["model"]["fields"]}
    assert {"uniqueId", "catalog", "executionInfo", "materializedType", "parents", "children", "ancestors"} <= names


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"query": "{ environment(id: 1) { applied { models { edges { node { name "}', 200, "Syntax Error"),
        (b'{"query": "{ environment(id: 1) { nope } }"}', 200, "Cannot query field 'nope'"),
        (b'{"query": "{ environment(id: \\"x\\") { dbtProjectName } }"}', 200, "BigInt"),
        (b'{"query": "query($id: BigInt!) { environment(id: $id) { dbtProjectName } }"}', 200, "$id"),
        (b'{"query": "{ environment(id: 987654) { dbtProjectName } }"}', 200, "Environment 987654 not found"),
        (b"not json", 400, "not valid JSON"),
        (b'{"variables": {}}', 400, "'query'"),
    ],
    ids=["syntax", "unknown field", "bad scalar", "missing variable", "unknown environment", "not json", "no query"],
)
def test_a_malformed_query_gets_graphql_errors_not_a_500(
    environment: Environment, body: bytes, status: int, message: str
) -> None:
    response = environment.post(body, **{"Content-Type": "application/json"})
    assert response.status_code == status
    errors = response.json()["errors"]
    assert errors
    assert message in errors[0]["message"]


def test_a_bad_cursor_is_a_graphql_error(environment: Environment) -> None:
    response = environment.post(
        {"query": '{ environment(id: 1) { applied { models(after: "nope") { totalCount } } } }'}
    )
    assert response.status_code == 200
    assert "Invalid cursor" in response.json()["errors"][0]["message"]


def test_auth_is_the_administrative_apis_and_any_host_is_answered(environment: Environment) -> None:
    query = {"query": f"{{ environment(id: {environment.environment_id}) {{ dbtProjectName }} }}"}
    with httpx.Client(base_url=environment.runner.base_url, timeout=30) as client:
        assert client.post("/graphql", json=query).status_code == 401
        refused = client.post("/graphql", json=query, headers={"Authorization": "Bearer not-a-token"})
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["message"] == "Invalid token."
        for scheme in ("Token", "Bearer"):
            answer = client.post(
                "/graphql/",
                json=query,
                headers={"Authorization": f"{scheme} {environment.runner.token}", "Host": "metadata.example.test"},
            )
            assert answer.status_code == 200
            assert answer.json()["data"]["environment"]["dbtProjectName"] == "dbt_cloud_demo"


def test_metadata_query_prints_the_answer(environment: Environment, local_cli: Any) -> None:
    query = "query($id: BigInt!) { environment(id: $id) { applied { models(first: 1) { totalCount } } } }"
    outcome = local_cli(
        "metadata", "query", "--query", query, "--variables", json.dumps({"id": environment.environment_id})
    )
    assert outcome.exit_code == 0, outcome.stderr
    answer = json.loads(outcome.stdout)
    manifest = environment.artifact(environment.failing_run, "manifest.json")
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert answer["data"]["environment"]["applied"]["models"]["totalCount"] == len(models)
    refused = local_cli("metadata", "query", "--query", "{ environment(id: 1) { nope } }")
    assert refused.exit_code == 1
    assert "Cannot query field 'nope'" in refused.stderr


def test_the_catalog_explorer_model_from_discovery_matches_the_downloaded_files(environment: Environment) -> None:
    from dbt_cloud.catalog import details
    from dbt_cloud.catalog.discovery import load_environment
    from dbt_cloud.catalog.loading import Catalog, Manifest

    def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return environment.query(query, **variables)

    catalog, manifest = load_environment(post, environment.environment_id)
    files = Catalog(environment.artifact(environment.docs_run, "catalog.json"))
    downloaded = Manifest(environment.artifact(environment.failing_run, "manifest.json"))
    assert set(catalog.entries) == set(files.entries)
    for unique_id, entry in files.entries.items():
        assert catalog.entries[unique_id] == entry, unique_id
        assert list(catalog.table(unique_id).columns) == list(files.table(unique_id).columns)
    model = "model.dbt_cloud_demo.dim_stations"
    ours, theirs = details.node_details(catalog, manifest, model), details.node_details(files, downloaded, model)
    assert ours.description == theirs.description
    assert [(c.name, c.description, [t.name for t in c.tests]) for c in ours.columns] == [
        (c.name, c.description, [t.name for t in c.tests]) for c in theirs.columns
    ]
    assert (ours.parents, ours.children) == (theirs.parents, theirs.children)


def test_fragments_on_full_and_nested_type_names_and_the_older_roots(environment: Environment) -> None:
    """dbt Labs' docs spread `... on SourceAppliedStateNode` inside ancestors, their tools `... on
    SourceAppliedStateNestedNode` and types the runner has no nodes of: all are valid and answered."""
    model_id = "model.dbt_cloud_demo.dim_stations"
    answer = environment.query(
        """query($id: BigInt!, $model: String!, $job: BigInt!) {
             environment(id: $id) { applied {
               models(filter: {uniqueIds: "model.dbt_cloud_demo.dim_stations", access: protected}) {
                 edges { node {
                 ancestors(types: [Source, Model]) {
                   __typename
                   ... on SourceAppliedStateNode { full: freshness { freshnessStatus } }
                   ... on SourceAppliedStateNestedNode { nested: freshness { freshnessStatus } }
                   ... on ModelAppliedStateNestedNode { materializedType }
                   ... on ExternalModelNode { name }
                   ... on MetricDefinitionNestedNode { name }
                 }
                 parents { ... on ModelAppliedStateNode { tests { executionInfo { lastRunStatus } } } } } } }
               failed: models(filter: {lastRunStatus: error}) { totalCount }
               exposures(first: 5) { edges { node { parents { name ... on ModelAppliedStateNode { alias } } } } }
             } }
             modelByEnvironment(environmentId: $id, uniqueId: $model, lastRunCount: 3) { runId status }
             models(jobId: $job) { uniqueId status }
             source(jobId: $job, uniqueId: "source.dbt_cloud_demo.gbfs.station_status") { name state }
           }""",
        id=environment.environment_id,
        model=model_id,
        job=environment.jobs["docs"],
    )
    applied = answer["environment"]["applied"]
    ancestors = applied["models"]["edges"][0]["node"]["ancestors"]
    source = next(node for node in ancestors if node["__typename"] == "SourceAppliedStateNode")
    assert source["full"] == source["nested"]
    assert source["full"]["freshnessStatus"] in ("pass", "warn", "error")
    assert all(node["materializedType"] for node in ancestors if node["__typename"] == "ModelAppliedStateNode")
    parents = applied["models"]["edges"][0]["node"]["parents"]
    assert any(parent.get("tests") for parent in parents)
    assert applied["failed"]["totalCount"] == 0
    assert [run["runId"] for run in answer["modelByEnvironment"]] == [environment.docs_run]
    assert answer["models"]
    assert all(model["status"] == "success" for model in answer["models"])
    assert answer["source"]["name"] == "station_status"
    assert answer["source"]["state"] in ("pass", "warn", "error")
