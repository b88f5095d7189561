"""Operation models written by hand: dbt-cloud-cli's commands, with the behaviour its users rely on.

`MODULES` names, per group, the module whose `VERBS` lay over the generated group's (a verb of the
same name replaces the generated one); dbt_cloud.api.registry joins the two.
"""

MODULES: dict[str, str] = {
    "account": "dbt_cloud.api.operations.account",
    "audit-log": "dbt_cloud.api.operations.audit_log",
    "connection": "dbt_cloud.api.operations.connection",
    "environment": "dbt_cloud.api.operations.environment",
    "environment-variable": "dbt_cloud.api.operations.environment_variable",
    "job": "dbt_cloud.api.operations.job",
    "metadata": "dbt_cloud.api.operations.metadata",
    "project": "dbt_cloud.api.operations.project",
    "run": "dbt_cloud.api.operations.run",
}
