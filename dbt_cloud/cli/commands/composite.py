"""What the composite commands share: a command made of several command models, a group extended
with composites, the options of waiting for a run, and asking before a destructive change.

A composite takes its options from one command model (the fields it names), adds its own, and gets
the connection options and the `Invocation` every API command gets; its action then chains command
models through `invocation.client`. No composite writes HTTP by hand.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import click

from dbt_cloud.api.operation import CommandModel
from dbt_cloud.cli.commands.base import (
    Action,
    Invocation,
    Options,
    Prepare,
    connection_options,
    invocation_for,
)
from dbt_cloud.cli.options import ModelOption, option_specs
from dbt_cloud.errors import UsageError
from dbt_cloud.terminal.output import FORMATS


class CompositeCommand(click.Command):
    """A command that chains several API operations; `model` supplies its model options."""

    def __init__(
        self,
        name: str,
        model: type[CommandModel],
        callback: Callable[..., Any],
        *,
        params: list[click.Parameter],
        help: str,
        calls: Sequence[type[CommandModel]],
        represents: type[CommandModel] | None = None,
    ) -> None:
        self.model = model
        self.calls = tuple(calls) or (model,)
        #: The one operation the command stands for, where it takes a plain command's place
        #: (`run get-artifact`), so `dbt-cloud commands` still finds the endpoint's command.
        self.represents = represents
        operations = "\n".join(f"{m.operation.method} {m.operation.path}" for m in self.calls)
        super().__init__(name, callback=callback, params=params, help=help, epilog=f"\b\nAPI:\n{operations}")


def composite_command(
    name: str,
    model: type[CommandModel],
    action: Action,
    *,
    fields: Iterable[str] | None = None,
    extra_params: Sequence[click.Parameter] = (),
    prepare: Prepare | None = None,
    help: str | None = None,
    calls: Sequence[type[CommandModel]] = (),
    represents: type[CommandModel] | None = None,
    options: type[Options] = Options,
    output_formats: Sequence[str] | None = FORMATS,
    hidden_fields: Iterable[str] = (),
) -> CompositeCommand:
    """A composite command: the options of `model`'s `fields` (all when None; the others keep
    their defaults), `extra_params` (reaching the action typed, as `options`), and the connection
    options with `-o` offering `output_formats` (none when None). `hidden_fields` are accepted but
    left out of the help: dbt-cloud-cli offered them where they change nothing a person would see."""
    kept = None if fields is None else set(fields)
    hidden = set(hidden_fields)
    model_options: list[click.Parameter] = []
    for spec in option_specs(model):
        if kept is None or spec.field_name in kept:
            option = ModelOption(spec)
            option.hidden = spec.field_name in hidden
            model_options.append(option)
    extras = list(extra_params)
    extra_names = {param.name for param in extras if param.name}
    options.check(name, extra_names)

    @click.pass_context
    def callback(ctx: click.Context, /, **values: Any) -> None:
        with invocation_for(ctx, model, values, extra_names, prepare=prepare, options=options) as invocation:
            action(invocation)

    return CompositeCommand(
        name,
        model,
        callback,
        params=[*model_options, *extras, *connection_options(output_formats)],
        help=help if help is not None else (model.__doc__ or "").strip(),
        calls=calls,
        represents=represents,
    )


# --- option types ------------------------------------------------------------------------------


class DurationType(click.ParamType[float]):
    """Seconds, given as a number (`90`) or with units (`90s`, `15m`, `2h`, `1h30m`)."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        from dbt_cloud.durations import parse_duration

        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = DurationType()


def ids_and_names(values: Iterable[str]) -> tuple[set[int], set[str]]:
    """dbt-cloud-cli's `--keep-jobs '[1, 2]'`, or `--keep-jobs 1,2`, repeated, or job names."""
    import ast

    ids: set[int] = set()
    names: set[str] = set()
    for value in values:
        text = value.strip()
        items: list[Any]
        if text.startswith("["):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise UsageError(f"{value!r} is not a list literal such as '[1, 2]'") from None
            items = list(parsed) if isinstance(parsed, (list, tuple)) else [parsed]
        elif "," in text and all(part.strip().isdigit() for part in text.split(",")):
            items = [part.strip() for part in text.split(",")]
        else:
            items = [text]
        for item in items:
            if isinstance(item, int) or (isinstance(item, str) and item.strip().isdigit()):
                ids.add(int(item))
            elif str(item).strip():
                names.add(str(item).strip())
    return ids, names


# --- asking first --------------------------------------------------------------------------------


def confirm(question: str, *, assume_yes: bool, embedded: bool = False) -> bool:
    """Ask on stderr and read the answer from stdin (so `yes |` works as it did with dbt-cloud-cli).
    No answer at all (stdin closed) is a usage error: nothing is changed without a yes. A program
    running the command in process is never asked: it says yes by passing it."""
    if assume_yes:
        return True
    if embedded:
        raise UsageError("A program changes this only when it passes --yes (yes=True); nothing was changed")
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:
        raise UsageError(
            "No answer to the confirmation (stdin is closed); nothing was changed",
            hint="pass --yes to go ahead without asking",
        ) from None


def yes_option() -> click.Option:
    return click.Option(["-y", "--yes", "yes"], is_flag=True, help="Go ahead without asking.")


def dry_run_option(what: str) -> click.Option:
    return click.Option(["--dry-run", "dry_run"], is_flag=True, help=f"Show what {what}, and change nothing.")


def run_bulk(
    invocation: Invocation,
    items: list[Any],
    act: Any,
    *,
    verb: str,
    done: str,
    noun: str,
    dry_run: bool,
) -> None:
    """Show the plan, ask, act on each item, report each, and exit 1 if any failed."""
    from dbt_cloud.errors import PartialFailureError
    from dbt_cloud.services.bulk import Outcome, apply_to_each, counts

    todo = [item for item in items if item.skip_reason is None]
    skipped = len(items) - len(todo)
    invocation.status(f"{len(items)} {noun}s listed: {len(todo)} to {verb}, {skipped} skipped.")
    for item in items:
        mark = f"skip ({item.skip_reason})" if item.skip_reason else verb
        invocation.status(f"  {mark}: {noun} {item.id} {item.label}".rstrip())
    if dry_run:
        invocation.status(f"Dry run: nothing was {done}.")
        invocation.print({"plan": [_planned(item, verb, noun) for item in items]})
        return
    if not todo:
        invocation.print([])
        return
    asked = f"{verb.capitalize()} {len(todo)} {noun}s?"
    assume_yes = invocation.options_as(BulkOptions).yes
    if not confirm(asked, assume_yes=assume_yes, embedded=invocation.embedding is not None):
        invocation.status(f"Nothing was {done}.")
        invocation.print([])
        return

    def report(result: Any) -> None:
        if result.outcome is Outcome.DONE:
            invocation.status(f"{done} {noun} {result.item.id} {result.item.label}".rstrip())
        elif result.outcome is Outcome.SKIPPED:
            invocation.status(f"skipped {noun} {result.item.id}: {result.detail}")
        else:
            invocation.status(f"failed {noun} {result.item.id}: {result.detail}")

    results = apply_to_each(items, act, on_result=report)
    tally = counts(results)
    invocation.status(
        f"{tally[Outcome.DONE]} {done}, {tally[Outcome.SKIPPED]} skipped, {tally[Outcome.FAILED]} failed."
    )
    invocation.print([result.document for result in results if result.outcome is Outcome.DONE])
    if tally[Outcome.FAILED]:
        raise PartialFailureError(f"{tally[Outcome.FAILED]} of {len(todo)} {noun}s could not be {done}")


def _planned(item: Any, verb: str, noun: str) -> dict[str, Any]:
    """One item of a dry run's plan, in the shape of `job import --dry-run`'s: what would be done
    to which thing, and why not where it is left alone."""
    planned = {"action": "skip" if item.skip_reason else verb, f"{noun}_id": item.id, "label": item.label}
    return {**planned, "reason": item.skip_reason} if item.skip_reason else planned


@dataclass(frozen=True, kw_only=True)
class BulkOptions(Options):
    """The options of a bulk command: which of the listed to act on, and whether to ask first."""

    at_most: int | None = None
    skip: int = 0
    dry_run: bool = False
    yes: bool = False


def bulk_limits() -> list[click.Parameter]:
    return [
        click.Option(
            ["--limit", "at_most"], type=click.IntRange(min=0), help="Act on at most this many (in listed order)."
        ),
        click.Option(["--offset", "skip"], type=click.IntRange(min=0), default=0, help="Skip this many first."),
    ]


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


def status_stream(invocation: Invocation) -> IO[str]:
    """Where progress is drawn: stderr on the command line, the stream an embedding program gave
    (or nowhere). A live line only where that is a terminal."""
    if invocation.embedding is None:
        return sys.stderr
    return invocation.embedding.stderr or _Discard()


def write_output(invocation: Invocation, text: str) -> None:
    """Text to `-f/--file` (whole or not at all), or stdout (an embedding program's answer)."""
    target = invocation.options.output_file or "-"
    if target == "-":
        sink = invocation.raw_output()
        sink.write(text.encode("utf-8"))
        sink.flush()
        return
    from pathlib import Path

    from dbt_cloud.files import atomic_write

    with atomic_write(Path(target)) as handle:
        handle.write(text.encode("utf-8"))
    invocation.status(f"Wrote {target}")
