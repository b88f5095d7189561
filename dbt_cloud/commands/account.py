"""`dbt-cloud account`: the accounts the token can see.

dbt-cloud-cli's `list` and `get`, written by hand; the rest of the group (`update`, `patch`,
`list-v3`) is generated in dbt_cloud/commands/generated/account.py, which this module extends.
"""

from __future__ import annotations

from typing import ClassVar

from dbt_cloud.command import CommandModel, Operation
from dbt_cloud.commands.base import api_command, extend_group
from dbt_cloud.commands.fields import AccountId, IncludeRelated
from dbt_cloud.commands.generated import account as generated


class AccountList(CommandModel):
    """List the accounts the token can access."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/", "List Accounts")
    include_related: IncludeRelated = None


class AccountGet(CommandModel):
    """Get an account by its id."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/{account_id}/", "Retrieve Account")
    account_id: AccountId
    include_related: IncludeRelated = None


group = extend_group(
    generated.group,
    [api_command("list", AccountList), api_command("get", AccountGet)],
    help="Accounts: get, list and update.",
)
