"""The local runner: a dbt-Cloud-compatible Administrative API on the user's own machine.

`app` answers HTTP (Starlette), `store` keeps state in SQLite, `executor` schedules runs and
`worker` executes them with dbt-core in a process of their own. Installed with the `[local]` extra.
Nothing here imports `dbt_cloud.cli`.
"""
