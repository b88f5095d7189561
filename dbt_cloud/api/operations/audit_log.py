"""`dbt-cloud audit-log`: recent audit log events (Enterprise plans).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group
(`download`, `export`, `export-status`, `download-export`) is generated in
dbt_cloud/api/generated/audit_log.py; the `VERBS` below lay over its own.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from dbt_cloud.api.fields import AccountId
from dbt_cloud.api.operation import CommandModel, Operation, Query, Verb


class AuditLogGet(CommandModel):
    """List recent audit log events of the account (Enterprise plans)."""

    operation: ClassVar[Operation] = Operation(
        "GET", "/api/v3/accounts/{account_id}/audit-logs/", "List Recent Audit Log Events", paginated=True
    )
    account_id: AccountId
    logged_at_start: Annotated[str | None, Query(), Field(description="Start date (YYYY-MM-DD) of the events.")] = None
    logged_at_end: Annotated[str | None, Query(), Field(description="End date (YYYY-MM-DD) of the events.")] = None
    offset: Annotated[int, Query(), Field(ge=0, description="How many events to skip.")] = 0
    limit: Annotated[int, Query(), Field(ge=1, le=100, description="How many events to return (1 to 100).")] = 100


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("get", AuditLogGet),
]
