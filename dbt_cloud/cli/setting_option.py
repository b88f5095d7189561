"""The click option of a setting: what was typed, and nothing else (see `SettingOption`). Only
click is imported here, so the root can use it and still start in about a bare interpreter's time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click


class SettingOption(click.Option):
    """An option whose value is a setting (dbt_cloud.config): click hands over only what was typed,
    None otherwise, and `Settings.resolve` alone reads the environment variable, the profile and
    the default (flag > env > profile > default), so nothing is read twice and a program running
    commands in process can lay its own settings under the flags. `--help` still names the
    variable and the default."""

    #: The setting the option gives, or None for an option click resolves entirely.
    setting: str | None

    def __init__(self, *args: Any, setting: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setting = setting or self.name

    def resolve_envvar_value(self, ctx: click.Context) -> str | None:
        return None if self.setting else super().resolve_envvar_value(ctx)

    def consume_value(self, ctx: click.Context, opts: Mapping[str, click.Parameter]) -> tuple[Any, Any]:
        value, source = super().consume_value(ctx, opts)
        if self.setting and source is click.core.ParameterSource.DEFAULT:
            return None, source  # the default is Settings.resolve's to apply
        return value, source
