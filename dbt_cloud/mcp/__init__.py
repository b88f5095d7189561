"""The MCP skin: every operation of the registry as a Model Context Protocol tool, for agents.

`tools.py` turns the registry's verbs into tool descriptions (name, help, JSON Schema from the
model's fields) and decides which are offered (read-only by default); `composites.py` holds the
tools that chain operations (trigger and wait, a run's failure, an artifact, finding an operation);
`server.py` serves them on the MCP SDK over stdio or streamable HTTP. Only `dbt-cloud mcp serve`
(dbt_cloud.cli.commands.mcp) imports this package, and only when it runs.
"""
