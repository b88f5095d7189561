"""`dbt-cloud mcp`: serve every operation as a Model Context Protocol tool (dbt_cloud.mcp).

A thin skin: the settings resolved as for every command, then the server of dbt_cloud.mcp, imported
only here and only when `serve` runs, so `dbt-cloud --help` never loads the MCP SDK.
"""

from __future__ import annotations

import click

from dbt_cloud.cli.group_examples import example_epilog
from dbt_cloud.cli.suggest import SuggestingGroup
from dbt_cloud.errors import ConfigError


@click.group(name="mcp", cls=SuggestingGroup, epilog=example_epilog("mcp"))
def group() -> None:
    """MCP server: every operation as a tool for agents."""


@group.command()
@click.option(
    "--http",
    "http_port",
    type=int,
    default=None,
    metavar="PORT",
    help="Serve streamable HTTP on 127.0.0.1:PORT instead of stdio.",
)
@click.option("--all-operations", is_flag=True, help="Offer a tool for every operation, not only the everyday ones.")
@click.option("--allow-writes", is_flag=True, help="Let tools change dbt Cloud (read-only without it).")
@click.pass_context
def serve(ctx: click.Context, http_port: int | None, all_operations: bool, allow_writes: bool) -> None:
    """Serve the tools over stdio (or streamable HTTP with --http)."""
    from importlib.util import find_spec

    from dbt_cloud.cli.context import RootOptions
    from dbt_cloud.config import Settings

    if find_spec("mcp") is None:
        raise ConfigError("the MCP server needs the mcp extra: pip install 'dbt-cloud[mcp]'")
    from dbt_cloud.mcp.server import build_server, serve_http, serve_stdio

    root = ctx.find_object(RootOptions) or RootOptions()
    settings = Settings.resolve(
        {}, profile=root.profile, timeout=root.timeout, max_retries=root.max_retries, retry_budget=root.retry_budget
    )
    server = build_server(settings, all_operations=all_operations, allow_writes=allow_writes)
    if http_port is None:
        serve_stdio(server)
    else:
        serve_http(server, http_port)
