"""What the command line does beyond sending a verb of the operation registry: composites (waiting,
export/import, bulk changes, artifacts), `api`, `configure`, `local`, `demo`, `completion`, and
`base.py`, which makes a click command of any verb. Modules are imported lazily by `dbt_cloud.cli`."""

#: The groups the command line does more in than the operation registry says (composites,
#: configure, the local runner), by name: `module:attribute` of each click group. This is a source
#: of scripts/gen_command_index.py, not read at run time: the command line reads the one generated
#: table, dbt_cloud/cli/command_index.py, made from this and the registry.
GROUPS: dict[str, str] = {
    "api": "dbt_cloud.cli.commands.api:api",
    "commands": "dbt_cloud.cli.commands.listing:commands",
    "completion": "dbt_cloud.cli.commands.completion:completion",
    "configure": "dbt_cloud.cli.commands.configure:configure",
    "connection": "dbt_cloud.cli.commands.connection:group",
    "demo": "dbt_cloud.cli.commands.demo:group",
    "job": "dbt_cloud.cli.commands.job_composites:group",
    "local": "dbt_cloud.cli.commands.local:group",
    "mcp": "dbt_cloud.cli.commands.mcp:group",
    "metadata": "dbt_cloud.cli.commands.metadata:group",
    "run": "dbt_cloud.cli.commands.run_composites:group",
}
