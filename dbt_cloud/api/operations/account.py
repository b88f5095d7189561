"""`dbt-cloud account`: the accounts the token can see.

The operation models of dbt-cloud-cli's `list` and `get`, written by hand; the rest of the group
(`update`, `patch`, `list-v3`) is generated in dbt_cloud/api/generated/account.py; the `VERBS` below
lay over its own.
"""

from __future__ import annotations

from typing import ClassVar

from dbt_cloud.api.fields import AccountId, IncludeRelated
from dbt_cloud.api.operation import CommandModel, Operation, Verb


class AccountList(CommandModel):
    """List the accounts the token can access."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/", "List Accounts")
    include_related: IncludeRelated = None


class AccountGet(CommandModel):
    """Get an account by its id."""

    operation: ClassVar[Operation] = Operation("GET", "/api/v2/accounts/{account_id}/", "Retrieve Account")
    account_id: AccountId
    include_related: IncludeRelated = None


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", AccountList),
    Verb("get", AccountGet),
]
