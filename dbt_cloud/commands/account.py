"""`dbt-cloud account`: the accounts the token can see."""

from __future__ import annotations

from typing import ClassVar

from dbt_cloud.command import CommandModel, Operation
from dbt_cloud.commands.base import api_command, command_group
from dbt_cloud.commands.fields import AccountId, IncludeRelated


class AccountList(CommandModel):
    """List the accounts the token can access."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/", "List Accounts")
    include_related: IncludeRelated = None


class AccountGet(CommandModel):
    """Get an account by its id."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/{account_id}/", "Retrieve Account")
    account_id: AccountId
    include_related: IncludeRelated = None


group = command_group(
    "account",
    "Accounts: get and list.",
    [api_command("list", AccountList), api_command("get", AccountGet)],
)
