"""The update that changes only what was given, written once: fetch the object, lay the given
fields over it, and send the whole object back. Fields our models do not know are kept as the
server sent them. The `update` commands, the typed client (sync and async) and `job import` use it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dbt_cloud.errors import InvalidResponseError

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel, Request
    from dbt_cloud.http.async_client import AsyncDbtCloudClient
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.response import ApiResponse


def deep_merge(current: Any, changes: Any) -> Any:
    """`changes` laid over `current`: objects merge key by key, anything else is replaced."""
    if isinstance(current, dict) and isinstance(changes, dict):
        merged = dict(current)
        for key, value in changes.items():
            merged[key] = deep_merge(current.get(key), value)
        return merged
    return changes


def current_query(model: CommandModel, getter: type[CommandModel]) -> CommandModel:
    """The request for the object as it is now: the update's ids, given to the get model."""
    fields = type(model).model_fields
    return getter.model_validate({name: getattr(model, name) for name in getter.model_fields if name in fields})


def merged_request(request: Request, current: Any, changes: Any) -> Request:
    """`request` with its body the current object, `changes` laid over it."""
    if not isinstance(current, dict):
        raise InvalidResponseError("The current object could not be read for the update")
    return replace(request, json=deep_merge(current, changes))


def _update_request(model: CommandModel, current: Any) -> Request:
    return merged_request(model.request(), current, model.body(only_set=True))


def update(client: DbtCloudClient, model: CommandModel, getter: type[CommandModel]) -> ApiResponse:
    """Send the update `model` stands for, over the object as it is now."""
    current = client.send(current_query(model, getter)).data
    return client.send_request(_update_request(model, current), envelope=model.operation.envelope)


async def update_async(client: AsyncDbtCloudClient, model: CommandModel, getter: type[CommandModel]) -> ApiResponse:
    """`update` on the async client."""
    current = (await client.send(current_query(model, getter))).data
    return await client.send_request(_update_request(model, current), envelope=model.operation.envelope)
