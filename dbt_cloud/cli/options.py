"""The click translation of operation models: a `--kebab-case` option per field, with type,
default, help, choices and env var taken from the field, and the click command of a model.

No command writes options by hand; a test walks the click tree and compares each option with its field.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, Literal, get_args, get_origin

import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from dbt_cloud.api.operation import CommandModel, Location, field_cli, field_param, validate
from dbt_cloud.cli.completing import Completion, known_values, listed_values
from dbt_cloud.cli.json_input import parse_json, read_json_file, text_problem
from dbt_cloud.cli.setting_option import SettingOption
from dbt_cloud.errors import InputError

# --- translation to click ------------------------------------------------------------------------


class JsonParamType(click.ParamType[Any]):
    """JSON given inline (`'{"a": 1}'`) or read from a file (`@body.json`)."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            if value.startswith("@"):
                return read_json_file(FilePath(value[1:]).expanduser(), "file")
            return parse_json(value, "the value")
        except InputError as exc:
            self.fail(exc.message, param, ctx)


class TextParamType(click.types.StringParamType):
    """Text that can be sent: bytes that are not UTF-8 (`--cause $'\\xff'`) are refused here,
    with where they are, instead of failing in the request's encoder. Named like click's STRING,
    so the help reads the same (`--name TEXT`)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = super().convert(value, param, ctx)
        problem = text_problem(text) if isinstance(text, str) else None
        if problem is not None:
            self.fail(problem, param, ctx)
        return text


class IdParamType(click.types.IntParamType):
    """The id of a dbt Cloud object: a whole number from 1 up. `--job-id -1` or `0` can name
    nothing, so it is refused here rather than sent. Named like click's INT, so the help reads
    the same (`--job-id INTEGER`)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number < 1:
            self.fail(f"{value!r} is not an id (ids are whole numbers from 1 up)", param, ctx)
        return number


def is_id_name(name: str) -> bool:
    """Whether an option's field names an object by its numeric id (`job_id`, `group_ids`, `id`)."""
    return name in ("id", "ids") or name.endswith(("_id", "_ids"))


class StepsParamType(click.ParamType[Any]):
    """A list of strings given either by repeating the option or, as dbt-cloud-cli took it, as one
    JSON or Python list literal (`'["dbt seed", "dbt run"]'`)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and (problem := text_problem(value)) is not None:
            self.fail(problem, param, ctx)
        if not isinstance(value, str) or not value.lstrip().startswith("["):
            return value
        import ast

        shown = repr(value) if len(value) <= 80 else f"{value[:77]!r}..."
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            try:
                parsed = ast.literal_eval(value)
            except (ValueError, SyntaxError, RecursionError, MemoryError):
                self.fail(f"{shown} is not a list literal", param, ctx)
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            self.fail(f"{shown} is not a list of strings", param, ctx)
        return ListLiteral(parsed)


class ListItemType(click.ParamType[Any]):
    """One item of a list option: the option repeats (`--event-types job.run.completed
    --event-types job.run.errored`), or one value gives the whole list as JSON (`'[1, 2]'`)."""

    def __init__(self, item: click.ParamType[Any]) -> None:
        self.item = item
        self.name = item.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or not value.lstrip().startswith("["):
            return self.item.convert(value, param, ctx)
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            self.fail(f"{value!r} is not a JSON list ({exc.msg})", param, ctx)
        if not isinstance(parsed, list):
            self.fail(f"{value!r} is not a JSON list", param, ctx)
        return ListLiteral(self.item.convert(item, param, ctx) for item in parsed)


class LiteralChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among a `Literal`'s values, converted back to the value's own type (`1`, not `"1"`)."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values
        super().__init__([str(value) for value in values])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(super().convert(value, param, ctx))
        return next(item for item in self.values if str(item) == text)


class ListLiteral(list[Any]):
    """Marks a list that came from one literal, so `build_model` splices it in."""


class EnumChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among an enum's values (or names), converted to the enum member."""

    def __init__(self, enum_type: type[enum.Enum]) -> None:
        self.enum_type = enum_type
        # Integer codes read badly (`--status 20`), so int enums are chosen by name; the codes and
        # any aliases the enum declares are accepted as well.
        numeric = issubclass(enum_type, int)
        choices = [member.name.lower() if numeric else str(member.value) for member in enum_type]
        super().__init__(choices, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, self.enum_type):
            return value
        text = str(value).strip().lower()
        for name, member in self.enum_type.__members__.items():
            if text in (str(member.value).lower(), name.lower()):
                return member
        return super().convert(value, param, ctx)


@dataclass(frozen=True)
class OptionSpec:
    """What the translation derived for one field; tests compare it with the click option.

    A boolean is a flag that may also take a value: `--generate-docs` alone means true, and
    `--generate-docs false` (as dbt-cloud-cli scripts write it) is understood too.
    """

    field_name: str
    flags: tuple[str, ...]
    type: click.ParamType[Any]
    required: bool
    default: Any
    multiple: bool
    is_flag: bool
    help: str
    envvar: str | None
    setting: str | None
    #: Where the value goes on the wire ("path", "query", "body"), for grouping the help.
    location: str | None = None


JSON = JsonParamType()
STEPS = StepsParamType()
TEXT = TextParamType()
#: Every numeric id option: of the models (by field name) and the hand-written ones alike.
ID = IdParamType()


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) != len(get_args(annotation))
        return annotation, type(None) in get_args(annotation)
    return annotation, False


def _click_type(annotation: Any) -> tuple[click.ParamType[Any], bool]:
    """The click type for an annotation, and whether the option repeats (lists)."""
    inner, _ = _strip_optional(annotation)
    origin = get_origin(inner)
    if origin is list:
        (item,) = get_args(inner) or (Any,)
        if item is Any:  # the spec says no more than "an array": its items are given as text
            return ListItemType(click.STRING), True
        item_type, _ = _click_type(item)
        if item_type is JSON:
            return JSON, False  # a list of objects is given as one JSON array
        if item_type is TEXT:
            return STEPS, True
        return ListItemType(item_type), True
    if origin is Literal:
        return LiteralChoice(get_args(inner)), False
    if isinstance(inner, type):
        if issubclass(inner, enum.Enum):
            return EnumChoice(inner), False
        if issubclass(inner, bool):
            return click.BOOL, False
        if issubclass(inner, int):
            return click.INT, False
        if issubclass(inner, float):
            return click.FLOAT, False
        if issubclass(inner, str):
            return TEXT, False
    return JSON, False  # dicts, sub-models, unions of them, Any


def option_spec(name: str, info: FieldInfo, location: str | None = None) -> OptionSpec:
    """The one translation of a model field into a click option. `name` is the field's name, or
    `parent__child` for a field of a flattened sub-model."""
    cli = field_cli(info)
    click_type, multiple = _click_type(info.annotation)
    if is_id_name(name.rsplit("__", 1)[-1]):
        if click_type is click.INT:
            click_type = ID
        elif isinstance(click_type, ListItemType) and click_type.item is click.INT:
            click_type = ListItemType(ID)
    inner, _ = _strip_optional(info.annotation)
    is_bool = isinstance(inner, type) and issubclass(inner, bool)
    flags = cli.flags or (f"--{name.replace('__', '-').replace('_', '-')}",)
    default = None if info.default is PydanticUndefined else info.default
    if info.default_factory is not None:
        default = None
    if isinstance(default, enum.Enum):
        default = default.name.lower() if isinstance(default, int) else str(default.value)
    return OptionSpec(
        field_name=name,
        flags=flags,
        type=click_type,
        required=info.is_required(),
        default=default,
        multiple=multiple,
        is_flag=is_bool,
        help=(info.description or "").strip(),
        envvar=cli.envvar,
        setting=cli.setting,
        location=location,
    )


def _completion(spec: OptionSpec) -> Completion | None:
    """What Tab offers for the option's value: the related objects its description lists, for
    `--include-related`."""
    if spec.field_name == "include_related":
        values = listed_values(spec.help)
        return known_values(values) if values else None
    return None


class ModelOption(SettingOption):
    """A click option that remembers the model field it stands for.

    Options are never `required` for click itself: a value may still come from the profile file,
    so the check for missing values happens after that merge, and names the option in its error.
    """

    def __init__(self, spec: OptionSpec) -> None:
        declarations = [*spec.flags, spec.field_name]
        help_text = spec.help
        if spec.multiple and "repeat" not in help_text:
            help_text = f"{help_text} (repeat the option, or give a JSON list)".strip()
        if spec.required and not spec.setting:
            help_text = f"{help_text} [required]".strip()
        elif spec.required and spec.setting:
            help_text = f"{help_text} [required; may come from the profile]".strip()
        bool_extra: dict[str, Any] = {}
        if spec.is_flag:
            bool_extra = {"is_flag": False, "flag_value": "true"}
            help_text = f"{help_text} (a flag; or give true/false)".strip()
        super().__init__(
            declarations,
            type=spec.type,
            default=spec.default,
            multiple=spec.multiple,
            help=help_text or None,
            envvar=spec.envvar,
            show_envvar=spec.envvar is not None,
            show_default=_worth_showing(spec.default),
            required=False,
            metavar="[true|false]" if spec.is_flag else None,
            shell_complete=_completion(spec),
            **bool_extra,
        )
        self.spec = spec
        self.setting = spec.setting
        #: The section of `--help` the option is listed in (see ModelCommand.format_options).
        self.help_section = spec.location


def _worth_showing(default: Any) -> bool:
    if default is None or default is False:
        return False
    return not (isinstance(default, (tuple, list)) and not default)


def option_specs(model: type[BaseModel], prefix: str = "", location: str | None = None) -> list[OptionSpec]:
    """Every option a model's fields become, flattened sub-models included: path fields first
    (the ids that say which object), then query, then body fields, each in field order."""
    specs: list[OptionSpec] = []
    fields = list(model.model_fields.items())
    if issubclass(model, CommandModel):
        order = [Location.PATH, Location.QUERY, Location.BODY]
        fields.sort(key=lambda item: order.index(field_param(item[1]).location))
    for name, info in fields:
        cli = field_cli(info)
        if cli.hidden:
            continue
        where = field_param(info).location.value if issubclass(model, CommandModel) else location
        if cli.flatten:
            inner, _ = _strip_optional(info.annotation)
            specs.extend(option_specs(inner, f"{prefix}{name}__", where))
        else:
            specs.append(option_spec(f"{prefix}{name}", info, where))
    return specs


def model_options(model: type[CommandModel]) -> list[ModelOption]:
    return [ModelOption(spec) for spec in option_specs(model)]


def option_label(model: type[CommandModel], location: tuple[str | int, ...]) -> str:
    """The option a validation error's location points at, e.g. `--job-id (or DBT_CLOUD_JOB_ID)`."""
    parts = [str(part) for part in location]
    specs = {spec.field_name: spec for spec in option_specs(model)}
    for length in range(len(parts), 0, -1):
        spec = specs.get("__".join(parts[:length]))
        if spec is not None:
            label = spec.flags[0]
            if spec.envvar:
                label += f" (or {spec.envvar})"
            rest = parts[length:]
            return f"{label} at {'.'.join(rest)}" if rest else label
    return ".".join(parts) or "input"


def build_model(
    model: type[CommandModel],
    values: Mapping[str, Any],
    *,
    settings: Mapping[str, Any] | None = None,
) -> CommandModel:
    """Validate option values into a model, filling unset fields from settings (the profile).

    Every problem is reported at once, in one line, each naming its option.
    """
    data: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    for key, value in values.items():
        if "__" in key and value is not None and value != ():
            head, *rest = key.split("__")
            target = nested.setdefault(head, {})
            for part in rest[:-1]:
                target = target.setdefault(part, {})
            target[rest[-1]] = _splice(value)
    for name, info in model.model_fields.items():
        if name in nested:
            data[name] = nested[name]
            continue
        value = values.get(name)
        if value is None or (isinstance(value, tuple) and not value and name not in values):
            setting = field_cli(info).setting
            if setting and settings and settings.get(setting) is not None:
                value = settings[setting]
        if isinstance(value, tuple):
            value = _splice(value)
            if not value and not info.is_required():
                continue
        if value is not None:
            data[name] = value
    return validate(model, data, _option_problem(model))


def _splice(value: Any) -> Any:
    """Repeated option values as a list, with list literals spliced in."""
    if not isinstance(value, tuple):
        return value
    items: list[Any] = []
    for item in value:
        if isinstance(item, ListLiteral):
            items.extend(item)
        else:
            items.append(item)
    return items


def _option_problem(model: type[CommandModel]) -> Callable[[str, tuple[str | int, ...], str], str]:
    """A problem told by the option it points at (`Missing option --job-id (or DBT_CLOUD_JOB_ID)`)."""

    def describe(kind: str, location: tuple[str | int, ...], message: str) -> str:
        where = option_label(model, location)
        return f"Missing option {where}" if kind == "missing" else f"Invalid value for {where}: {message}"

    return describe


CommandAction = Callable[[click.Context, CommandModel, dict[str, Any]], None]


class ModelCommand(click.Command):
    """A click command built from a command model; `self.model` is the model class."""

    #: What the command does with its invocation, when it is more than sending the model
    #: (set by `commands.base.api_command`; the typed client reads it to do the same).
    action: Callable[..., Any] | None = None

    def __init__(
        self,
        name: str,
        model: type[CommandModel],
        callback: Callable[..., Any],
        *,
        extra_params: list[click.Parameter] | None = None,
        help: str | None = None,
        short_help: str | None = None,
    ) -> None:
        self.model = model
        doc = help if help is not None else (model.__doc__ or "").strip()
        operation = model.operation
        where = f"{operation.method} {operation.path}"
        if operation.operation_id:
            where += f"  ({operation.operation_id})"
        #: `METHOD /path  (operationId)`, as the API reference names the operation.
        super().__init__(
            name,
            callback=callback,
            params=[*model_options(model), *(extra_params or [])],
            help=doc,
            short_help=short_help,
            no_args_is_help=False,
        )
        self.api_line = where

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(f"\b\nAPI: {self.api_line}")  # \b: never wrapped, so it can be searched

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Options in sections by where they go: the path (which object), the query, the body,
        then the options every command has."""
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            # An argument (`run get 21`) is in the usage line; click lists only options here too.
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is None:
                continue
            location = getattr(param, "help_section", None)
            sections.setdefault(location or "", []).append(record)
        titles = {"path": "Path options", "query": "Query options", "body": "Body options", "": "Options"}
        for location in ("path", "query", "body", ""):
            if sections.get(location):
                with formatter.section(titles[location]):
                    formatter.write_dl(sections[location])
