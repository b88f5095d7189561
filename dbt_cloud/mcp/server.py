"""The MCP server: the offered tools over the MCP SDK's low-level server, on stdio or streamable HTTP.

Each call is sent by one sync client made from the settings (profiles, hosts and environment as for
every command), in a worker thread so the event loop keeps answering. Errors come back as tool
errors with the one line the command line prints; the token is masked in every answer.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel import Server

from dbt_cloud.about import __version__
from dbt_cloud.api.operation import describe_argument, fill_from_settings, validate
from dbt_cloud.config import Settings
from dbt_cloud.errors import DbtCloudError
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.mcp import composites
from dbt_cloud.mcp.tools import OperationTool, offered, refused


def _error(message: str, token: str | None = None) -> types.CallToolResult:
    if token:
        message = message.replace(token, "***")
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def _answer(value: Any, token: str | None) -> types.CallToolResult:
    structured = value if isinstance(value, dict) else {"result": value}
    text = json.dumps(structured, default=str)
    if token and token in text:  # never hand the token to an agent
        text = text.replace(token, "***")
        structured = json.loads(text)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=structured)


def build_server(settings: Settings, *, all_operations: bool = False, allow_writes: bool = False) -> Server[Any]:
    operation_tools = {tool.name: tool for tool in offered(all_operations=all_operations)}

    def listing() -> list[types.Tool]:
        tools = [
            types.Tool(
                name=name,
                description=composites.DESCRIPTIONS[name],
                input_schema=schema,
                annotations=types.ToolAnnotations(
                    read_only_hint=name not in composites.WRITES,
                    destructive_hint=False if name in composites.WRITES else None,
                ),
            )
            for name, schema in composites.SCHEMAS.items()
        ]
        for tool in operation_tools.values():
            hints = types.ToolAnnotations(
                read_only_hint=not tool.writes, destructive_hint=tool.destructive if tool.writes else None
            )
            tools.append(
                types.Tool(
                    name=tool.name,
                    description=tool.description,
                    input_schema=tool.input_schema(),
                    annotations=hints,
                )
            )
        return tools

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listing())

    def send(tool: OperationTool, arguments: dict[str, Any]) -> Any:
        values = fill_from_settings(tool.model, arguments, lambda name: getattr(settings, name, None))
        command = validate(tool.model, values, describe_argument, prefix=f"{tool.name}: ")
        with DbtCloudClient(settings) as client:
            if tool.verb.saves:
                return {"content": client.read_raw(command.request()).decode("utf-8", errors="replace")}
            return client.send(command).document

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = dict(params.arguments or {})
        name = params.name

        def report(message: str) -> None:
            anyio.from_thread.run(ctx.session.report_progress, 0, None, message)

        def run() -> Any:
            if name in operation_tools:
                return send(operation_tools[name], arguments)
            if name == "find_operation":
                return composites.find_operation(arguments)
            with DbtCloudClient(settings) as client:
                if name == "job_trigger_and_wait":
                    if not allow_writes:
                        raise PermissionError(
                            "job_trigger_and_wait starts a run and the server is read-only: "
                            "start it with --allow-writes"
                        )
                    return composites.trigger_and_wait(client, arguments, report)
                if name == "run_failure":
                    return composites.failure(client, arguments)
                if name == "run_artifact":
                    return composites.artifact(client, arguments)
            raise LookupError(f"no tool {name!r}")

        tool = operation_tools.get(name)
        why = None if tool is None else refused(tool, allow_writes=allow_writes)
        if why is not None:
            return _error(why)
        try:
            value = await anyio.to_thread.run_sync(run)
        except (DbtCloudError, PermissionError, LookupError, OSError, ValueError, TypeError) as exc:
            return _error(str(exc) if not isinstance(exc, KeyError) else f"missing argument {exc}", settings.api_token)
        return _answer(value, settings.api_token)

    return Server("dbt-cloud", version=__version__, on_list_tools=list_tools, on_call_tool=call_tool)


def serve_stdio(server: Server[Any]) -> None:
    from mcp.server.stdio import stdio_server

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)


def serve_http(server: Server[Any], port: int) -> None:
    import uvicorn

    app = server.streamable_http_app(host="127.0.0.1")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
