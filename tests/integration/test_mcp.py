"""`dbt-cloud mcp serve` driven by the MCP SDK's own client over stdio, against the local runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from dbt_cloud.api.operation import Api
from dbt_cloud.api.registry import group_names, verbs
from dbt_cloud.mcp.composites import SCHEMAS
from dbt_cloud.mcp.tools import NEVER, tool_name
from tests.support.local_runner import LocalRunner

Session = Callable[[ClientSession], Awaitable[Any]]


def with_server(runner: LocalRunner, body: Session, *flags: str) -> Any:
    """Start the server as an agent's client would, hand `body` an initialized session."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "dbt_cloud", "mcp", "serve", *flags],
        env={**environment, **runner.env()},
    )

    async def main() -> Any:
        async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)

    return anyio.run(main)


def test_every_tool_has_a_valid_json_schema(local_runner: LocalRunner) -> None:
    async def body(session: ClientSession) -> Any:
        return (await session.list_tools()).tools

    tools = with_server(local_runner, body)
    names = {tool.name for tool in tools}
    assert {"job_list", "run_get", "job_trigger_and_wait", "run_failure", "run_artifact", "find_operation"} <= names
    assert "job_delete_all" not in names
    assert "run_cancel" in names  # a write, refused while read-only, but listed
    for tool in tools:
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert tool.description, tool.name
    run_get = next(tool for tool in tools if tool.name == "run_get")
    assert run_get.input_schema["required"] == ["run_id"]  # account_id comes from the settings
    assert "account_id" in run_get.input_schema["properties"]


def test_all_operations_lists_a_tool_per_operation(local_runner: LocalRunner) -> None:
    async def body(session: ClientSession) -> Any:
        return (await session.list_tools()).tools

    tools = with_server(local_runner, body, "--all-operations")
    for tool in tools:  # every tool's input schema is valid JSON Schema, and says what it takes
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert tool.input_schema["type"] == "object", tool.name
    names = {tool.name for tool in tools}
    every = {(group, verb): tool for group in group_names() for verb, tool in verbs(group).items()}
    admin = [key for key, verb in every.items() if verb.model.operation.api is Api.ADMIN]
    assert len(admin) == 207  # every operation of the v2 and v3 specs
    assert not [key for key in every if key[1] in NEVER]  # no operation is a sweeping composite
    assert names - set(SCHEMAS) == {tool_name(*key) for key in every}
    assert len(names - set(SCHEMAS)) == 208  # the 207 Admin operations and the Discovery query
    assert "job_delete_all" not in names
    assert "run_cancel_all" not in names


def test_hints_say_what_a_tool_changes(local_runner: LocalRunner) -> None:
    async def body(session: ClientSession) -> Any:
        return (await session.list_tools()).tools

    hints = {tool.name: tool.annotations for tool in with_server(local_runner, body, "--all-operations")}
    assert hints["job_list"].read_only_hint is True
    assert hints["metadata_query"].read_only_hint is True  # a POST that only reads
    assert hints["run_failure"].read_only_hint is True
    assert hints["job_run"].read_only_hint is False
    assert hints["job_run"].destructive_hint is False
    assert hints["job_trigger_and_wait"].read_only_hint is False
    assert hints["job_delete"].destructive_hint is True
    assert hints["environment_variable_delete_bulk"].destructive_hint is True


def test_the_bulk_delete_removes_only_the_named_variables(local_runner: LocalRunner) -> None:
    path = f"/api/v3/accounts/{local_runner.account_id}/projects/{local_runner.project_id}/environment-variables/"
    with local_runner.http() as http:
        made = [
            http.post(path, json={"name": f"DBT_BULK_{n}", "type": "project", "raw_value": "x"}).json()["data"]["id"]
            for n in range(3)
        ]
    arguments = {"project_id": local_runner.project_id, "ids": made[:2]}

    async def body(session: ClientSession) -> Any:
        return await session.call_tool("environment_variable_delete_bulk", arguments)

    refused = with_server(local_runner, body, "--all-operations")
    deleted = with_server(local_runner, body, "--all-operations", "--allow-writes")
    assert refused.is_error
    assert "read-only" in refused.content[0].text
    assert not deleted.is_error, deleted.content
    assert sorted(deleted.structured_content["data"]["deleted_var_ids"]) == made[:2]
    with local_runner.http() as http:
        left = http.get(f"{path}environment/").json()["data"]["variables"]
    assert "DBT_BULK_2" in left
    assert "DBT_BULK_0" not in left
    assert "DBT_BULK_1" not in left


def test_list_jobs_and_a_refused_write(local_runner: LocalRunner) -> None:
    async def body(session: ClientSession) -> Any:
        jobs = await session.call_tool("job_list", {})
        write = await session.call_tool("job_run", {"job_id": local_runner.jobs["build"]})
        missing = await session.call_tool("run_get", {})
        query = "query($id: BigInt!) { environment(id: $id) { definition { models(first: 1) { totalCount } } } }"
        discovery = await session.call_tool(
            "metadata_query", {"query": query, "variables": {"id": local_runner.environment_id}}
        )
        return jobs, write, missing, discovery

    jobs, write, missing, discovery = with_server(local_runner, body)
    assert not discovery.is_error, discovery.content
    assert "totalCount" in discovery.content[0].text
    assert not jobs.is_error
    assert {job["id"] for job in jobs.structured_content["data"]} >= set(local_runner.jobs.values())
    assert local_runner.token not in jobs.content[0].text
    assert write.is_error
    assert "read-only" in write.content[0].text
    assert missing.is_error
    assert "run_id" in missing.content[0].text


def test_trigger_the_failing_job_wait_read_its_failure_and_an_artifact(local_runner: LocalRunner) -> None:
    progress: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async def body(session: ClientSession) -> Any:
        finished = await session.call_tool(
            "job_trigger_and_wait", {"job_id": local_runner.jobs["failing"]}, progress_callback=on_progress
        )
        run_id = finished.structured_content["run_id"]
        failure = await session.call_tool("run_failure", {"run_id": run_id})
        version = await session.call_tool(
            "run_artifact", {"run_id": run_id, "path": "run_results.json", "json_path": "metadata.dbt_version"}
        )
        nowhere = await session.call_tool(
            "run_artifact", {"run_id": run_id, "path": "run_results.json", "json_path": "results.99999"}
        )
        return finished, failure, version, nowhere

    finished, failure, version, nowhere = with_server(local_runner, body, "--allow-writes")
    assert nowhere.is_error
    assert nowhere.content[0].text == "json_path 'results.99999': no '99999' there"
    assert not finished.is_error, finished.content
    assert finished.structured_content["succeeded"] is False
    assert any("queued" in line for line in progress)
    assert failure.structured_content["failed_step"] is not None
    nodes = failure.structured_content["failing_nodes"]
    assert nodes
    assert all(node["unique_id"].startswith("test.") for node in nodes)
    assert all(node["message"] for node in nodes)
    assert version.structured_content["value"].startswith("1.11")


@pytest.mark.parametrize("phrase", ["runs artifacts"])
def test_find_operation(local_runner: LocalRunner, phrase: str) -> None:
    async def body(session: ClientSession) -> Any:
        return await session.call_tool("find_operation", {"phrase": phrase})

    found = with_server(local_runner, body)
    assert "run_get_artifact" in {match["tool"] for match in found.structured_content["matches"]}


def test_streamable_http_on_loopback(local_runner: LocalRunner) -> None:
    """`--http PORT` serves the same tools on 127.0.0.1."""
    import socket
    import subprocess
    import time

    from mcp.client.streamable_http import streamable_http_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    command = [sys.executable, "-m", "dbt_cloud", "mcp", "serve", "--http", str(port)]
    server = subprocess.Popen(command, env={**environment, **local_runner.env()})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)

        async def main() -> Any:
            async with (
                streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, *_),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                return await session.call_tool("job_list", {})

        jobs = anyio.run(main)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert {job["id"] for job in jobs.structured_content["data"]} >= set(local_runner.jobs.values())


def test_composite_input_is_checked_by_its_model(local_runner: LocalRunner) -> None:
    async def body(session: ClientSession) -> Any:
        negative = await session.call_tool("run_failure", {"run_id": -1})
        unknown = await session.call_tool("run_artifact", {"run_id": 1, "path": "manifest.json", "jsonpath": "x"})
        return negative, unknown

    negative, unknown = with_server(local_runner, body)
    assert negative.is_error
    assert negative.content[0].text.startswith("run_failure: run_id:")
    assert unknown.is_error
    assert "unknown argument jsonpath" in unknown.content[0].text
    assert SCHEMAS["run_artifact"]["required"] == ["run_id", "path"]
    assert SCHEMAS["job_trigger_and_wait"]["properties"]["job_id"]["minimum"] == 1
