"""`dbt-cloud connection`: the group as the registry has it, but `create` takes unknown
`--key value` pairs as connection details, as dbt-cloud-cli did."""

from __future__ import annotations

from typing import Any

import click

from dbt_cloud.api.operations.connection import ConnectionCreate
from dbt_cloud.cli.commands.base import Invocation, api_command, registry_group, send_and_print


def _coerce(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _create_with_extra_details(invocation: Invocation) -> None:
    """dbt-cloud-cli took unknown `--key value` pairs as connection details; so do we."""
    extra = list(invocation.ctx.args)
    if extra:
        if len(extra) % 2 or not all(key.startswith("--") for key in extra[::2]):
            raise click.UsageError(
                f"Unexpected arguments {' '.join(extra)!r}: connection details go as --key value pairs"
            )
        details = {
            key[2:].replace("-", "_"): _coerce(value) for key, value in zip(extra[::2], extra[1::2], strict=True)
        }
        merged = {**(getattr(invocation.model, "details", None) or {}), **details}
        invocation.model = invocation.model.model_copy(update={"details": merged})
    send_and_print(invocation)


_create = api_command("create", ConnectionCreate, action=_create_with_extra_details)
_create.context_settings.update(ignore_unknown_options=True, allow_extra_args=True)
_create.ignore_unknown_options = True
_create.allow_extra_args = True

group = registry_group("connection", commands=[_create])
