"""The click type of options given in seconds (`--timeout`, `--retry-budget`, `--poll-interval`)."""

from __future__ import annotations

import math
from typing import Any

import click

from dbt_cloud.defaults import MAX_SECONDS


class Seconds(click.FloatRange):
    """A float range from `minimum` to MAX_SECONDS that also refuses NaN: NaN compares false with
    both bounds, so click's range lets it through, and it would reach the clock arithmetic."""

    def __init__(self, minimum: float) -> None:
        super().__init__(min=minimum, max=MAX_SECONDS)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return number
