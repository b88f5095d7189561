"""One example command line per group, shown at the end of the group's `--help` (a test runs each
against the group's real options, so an example never names an option that does not exist)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "account": "dbt-cloud account get --account-id 123456",
    "account-connection": "dbt-cloud account-connection list -o table",
    "adapter": "dbt-cloud adapter get --adapter-id 7 --project-id 270542",
    "audit-log": "dbt-cloud audit-log get --logged-at-start 2024-01-01 -o table",
    "connection": "dbt-cloud connection list --project-id 270542 -o table",
    "credential": "dbt-cloud credential list --project-id 270542",
    "demo": "dbt-cloud demo data-catalog -f target/",
    "environment": "dbt-cloud environment list --project-id 270542 -o table",
    "environment-variable": "dbt-cloud environment-variable list --project-id 270542",
    "extended-attribute": "dbt-cloud extended-attribute get --extended-attribute-id 3 --project-id 270542",
    "favorite-asset": "dbt-cloud favorite-asset list",
    "group": "dbt-cloud group list -o table",
    "invite": "dbt-cloud invite list",
    "ip-restriction": "dbt-cloud ip-restriction list",
    "job": "dbt-cloud job run --job-id 43167 --wait",
    "license": "dbt-cloud license list-allocations",
    "license-map": "dbt-cloud license-map list",
    "lineage-integration": "dbt-cloud lineage-integration list --project-id 270542",
    "local": "dbt-cloud local serve",
    "mcp": "dbt-cloud mcp serve --allow-writes",
    "metadata": "dbt-cloud metadata query -f query.graphql",
    "notification": "dbt-cloud notification list",
    "oauth-configuration": "dbt-cloud oauth-configuration list",
    "personal-access-token": "dbt-cloud personal-access-token list --user-id 42",
    "private-endpoint": "dbt-cloud private-endpoint list",
    "profile": "dbt-cloud profile list --project-id 270542",
    "project": "dbt-cloud project list -o table",
    "repository": "dbt-cloud repository list --project-id 270542",
    "run": "dbt-cloud run logs 70403103 --follow",
    "scim": "dbt-cloud scim list-users",
    "semantic-layer-credential": "dbt-cloud semantic-layer-credential list",
    "service-token": "dbt-cloud service-token list -o table",
    "ssh-tunnel": "dbt-cloud ssh-tunnel list",
    "user": "dbt-cloud user list -o table",
    "webhook": "dbt-cloud webhook create --name ci --client-url https://ci.example/hook --event-types job.run.errored",
}


def example_epilog(group: str) -> str | None:
    """The group's example as click prints an epilog (`\\b`: kept on its own line, unwrapped)."""
    example = EXAMPLES.get(group)
    return None if example is None else f"\b\nExample:\n  {example}"
