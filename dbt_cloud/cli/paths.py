"""The click type of path options: click's Path, refusing a NUL in the name up front (exit 2).

A shell cannot pass a NUL, but a program calling the CLI in process can, and the OS would refuse
the name only when it is opened: after a trigger was sent, say."""

from __future__ import annotations

from typing import Any

import click


class CleanPath(click.Path):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\0" in str(value):
            self.fail(f"{str(value)!r} contains a NUL character", param, ctx)
        return super().convert(value, param, ctx)
