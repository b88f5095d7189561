"""Operation models: one pydantic class per API operation, and what the wire needs to know of it.

A command model carries the operation (HTTP method and path template, as the OpenAPI spec writes them)
in a class variable, and one field per input. Each field says where it goes on the wire with a marker
in its `Annotated` metadata (`Path`, `Query`, `Body`) and may name an environment variable or a
setting to fall back on. From that alone:

* `model.request()` builds the HTTP request (pure: no I/O, no httpx),
* `validate()` checks every input with pydantic before anything is sent, reporting all problems at once,
* `model.execute(client)` sends it: the same model is the Python API,
* the command line (dbt_cloud.cli.options) turns each field into a `--kebab-case` option.

Nothing here knows click or httpx: the command line and the typed client are two skins over these models.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from dbt_cloud.errors import InputError


class Sender(Protocol):
    """What sends a model: a client of dbt_cloud.http (the models know no HTTP library)."""

    def send(self, command: CommandModel) -> Any: ...


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Api(enum.Enum):
    """Which dbt Cloud API an operation belongs to (they live on different hosts)."""

    ADMIN = "admin"
    DISCOVERY = "discovery"


@dataclass(frozen=True)
class Operation:
    """One API operation: what the spec calls it and where it lives."""

    method: HttpMethod
    #: The path template exactly as the OpenAPI spec writes it, e.g. `/api/v2/accounts/{account_id}/jobs/{id}/`.
    path: str
    #: The spec's operationId, so the drift test can find the operation again.
    operation_id: str | None = None
    #: The list answers pages (`limit`/`offset`, `extra.pagination`): the command gets `--all`.
    paginated: bool = False
    #: The answer is wrapped in dbt Cloud's envelope (`status`, `data`, `extra`).
    envelope: bool = True
    api: Api = Api.ADMIN

    @property
    def path_names(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))


class Location(enum.Enum):
    PATH = "path"
    QUERY = "query"
    BODY = "body"


@dataclass(frozen=True)
class Param:
    """Where a field goes on the wire, and how the CLI fills it. Used as `Annotated` metadata."""

    location: Location
    #: The name on the wire when it differs from the field's name (`{id}` for `job_id`).
    wire_name: str | None = None
    #: A path field whose value the body repeats (the v3 API wants `account_id` in both).
    also_body: bool = False
    #: A path field that may span segments (an artifact path such as `run/model.sql`).
    allow_slashes: bool = False
    #: A list sent as one comma-separated query value rather than a repeated parameter.
    comma_separated: bool = False
    #: The field is the whole request body (a JSON array, or one of several shapes), not one key of it.
    whole: bool = False


#: dbt Cloud's list filters (Django lookups such as `status__in`, `pk__in`, `created_at__range`) read
#: one JSON array, `status__in=[1,2,3]`; repeated parameters (`status__in=1&status__in=2`, the
#: OpenAPI default) are answered with the last value alone or refused.
LIST_LOOKUPS = ("__in", "__range")


def Path(  # noqa: N802 - reads as a marker, like pydantic's Field
    wire_name: str | None = None, *, also_body: bool = False, allow_slashes: bool = False
) -> Param:
    return Param(Location.PATH, wire_name, also_body=also_body, allow_slashes=allow_slashes)


def Query(wire_name: str | None = None, *, comma_separated: bool = False) -> Param:  # noqa: N802
    return Param(Location.QUERY, wire_name, comma_separated=comma_separated)


def Body(wire_name: str | None = None, *, whole: bool = False) -> Param:  # noqa: N802
    return Param(Location.BODY, wire_name, whole=whole)


@dataclass(frozen=True)
class Cli:
    """How a field appears on the command line, where it differs from the default translation."""

    #: Option declarations, e.g. ("--file", "-f"). Default: `--field-name`.
    flags: tuple[str, ...] = ()
    #: Environment variable that supplies the value when the flag is not given.
    envvar: str | None = None
    #: Setting (see config.PROFILE_KEYS) that supplies the value from the profile when neither is given.
    setting: str | None = None
    #: Keep the field out of the command line entirely (set by the composite that owns the model).
    hidden: bool = False
    #: A sub-model field whose own fields become options `--<field>-<subfield>` (dbt-cloud-cli's
    #: `--settings-threads`), instead of one JSON option.
    flatten: bool = False


@dataclass(frozen=True)
class Request:
    """An HTTP request built from a command model: no I/O yet."""

    method: HttpMethod
    path: str
    params: dict[str, Any]
    json: Any
    api: Api = Api.ADMIN


class BodyPart(BaseModel):
    """A nested object of a request body (a job's `settings`, a token's permission grant).

    Keys the model does not declare are kept and sent as given: the specs do not describe every
    nested field the service takes. Keys whose wire name is not a Python name use an alias.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class CommandModel(BaseModel):
    """Base of every command model. Subclasses set `operation` and declare fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    operation: ClassVar[Operation]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        operation = cls.__dict__.get("operation")
        if operation is None:
            return  # an abstract intermediate class
        wire_paths = {
            param.wire_name or name
            for name, param in ((n, field_param(f)) for n, f in cls.model_fields.items())
            if param.location is Location.PATH
        }
        if wire_paths != set(operation.path_names):
            raise TypeError(
                f"{cls.__name__}: path fields {sorted(wire_paths)} do not match the template "
                f"{operation.path} ({sorted(operation.path_names)})"
            )

    def execute(self, client: Sender) -> Any:
        """Send this command with `client` and return the checked answer: the Python API is the
        same model the CLI builds, `JobRun(account_id=1, job_id=42).execute(client)`."""
        return client.send(self)

    def request(self) -> Request:
        """The HTTP request this command stands for."""
        path_values: dict[str, str] = {}
        params: dict[str, Any] = {}
        for name, info in type(self).model_fields.items():
            param = field_param(info)
            value = getattr(self, name)
            wire = param.wire_name or name
            if param.location is Location.PATH:
                path_values[wire] = _path_segment(value, allow_slashes=param.allow_slashes)
            elif param.location is Location.QUERY and value is not None:
                wire_value = _wire_value(value)
                if param.comma_separated and isinstance(wire_value, list):
                    wire_value = ",".join(str(item) for item in wire_value)
                elif isinstance(wire_value, list) and wire.endswith(LIST_LOOKUPS):
                    wire_value = json.dumps(wire_value, separators=(",", ":"))
                params[wire] = wire_value
        path = self.operation.path.format(**path_values)
        payload = self.body() if self.operation.method in ("POST", "PUT", "PATCH") else None
        if self.operation.method == "DELETE":
            # A DELETE carries a body only where its model has one (the bulk delete's ids).
            payload = self.body() or None
        return Request(self.operation.method, path, params, payload, self.operation.api)

    def body(self, *, only_set: bool = False) -> Any:
        """The JSON body: body fields that have a value (or were set explicitly), under their wire
        names. With `only_set`, just what the caller gave, defaults left out (for merging an
        update over the current object). A `Body(whole=True)` field is the body itself."""
        body: dict[str, Any] = {}
        given = self.model_dump(mode="json", exclude_unset=True, by_alias=True) if only_set else None
        for name, info in type(self).model_fields.items():
            param = field_param(info)
            wire = param.wire_name or name
            if param.whole:
                if given is not None:
                    return given.get(name)
                return _wire_value(getattr(self, name))
            in_body = param.location is Location.BODY or (param.location is Location.PATH and param.also_body)
            if not in_body:
                continue
            if given is not None:
                if name in given and param.location is Location.BODY:
                    body[wire] = given[name]
                continue
            value = getattr(self, name)
            if value is not None or name in self.model_fields_set:
                body[wire] = _wire_value(value)
        return body


def field_param(info: FieldInfo) -> Param:
    """The wire location of a field: every field must say it."""
    for item in info.metadata:
        if isinstance(item, Param):
            return item
    raise TypeError("every command model field needs a Path(), Query() or Body() marker")


def field_cli(info: FieldInfo) -> Cli:
    for item in info.metadata:
        if isinstance(item, Cli):
            return item
    return Cli()


def _path_segment(value: Any, *, allow_slashes: bool = False) -> str:
    """A value made safe to stand in a URL path: it can never walk to another endpoint."""
    text = str(_wire_value(value))
    segments = text.split("/") if allow_slashes else [text]
    if not text or any(seg in ("", ".", "..") for seg in segments) or (not allow_slashes and "/" in text):
        raise InputError(f"Invalid value {text!r} for a path parameter")
    return "/".join(quote(seg, safe="") for seg in segments)


def _wire_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, list):
        return [_wire_value(item) for item in value]
    return value


# --- validation: the one validator of the command line and the typed client ---------------------


def fill_from_settings(
    model: type[CommandModel], values: Mapping[str, Any], setting: Callable[[str], Any]
) -> dict[str, Any]:
    """`values` with each field left out (or None) that names a setting (`Cli(setting=...)`) filled from
    `setting(name)`, where that has a value: the profile's account, project, environment and job ids."""
    filled = dict(values)
    for name, info in model.model_fields.items():
        wanted = field_cli(info).setting
        if filled.get(name) is None and wanted is not None:
            value = setting(wanted)
            if value is not None:
                filled[name] = value
    return filled


#: How one pydantic error is told: (kind, location, message) -> text.
Describe = Callable[[str, tuple[str | int, ...], str], str]


def validate(
    model: type[CommandModel], data: Mapping[str, Any], describe: Describe, *, prefix: str = ""
) -> CommandModel:
    """The model from `data`, or one InputError that names every problem at once, each told by
    `describe` (the command line names options, Python names arguments)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        problems = [
            describe(str(error.get("type", "")), tuple(error.get("loc", ())), str(error.get("msg", "invalid")))
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise InputError(prefix + "; ".join(problems)) from None


def describe_argument(kind: str, location: tuple[str | int, ...], message: str) -> str:
    """A problem told by Python argument names (the typed client)."""
    where = ".".join(str(part) for part in location) or "input"
    if kind == "missing":
        return f"missing {where}"
    if kind == "extra_forbidden":
        return f"unknown argument {where}"
    return f"{where}: {message}"


# --- verbs: the commands of a group, as data ------------------------------------------------------


@dataclass(frozen=True)
class Verb:
    """One command of a group, as data both skins read: its name (`get-artifact` on the command
    line, `get_artifact` in Python), the model it sends, and what it does besides sending."""

    name: str
    model: type[CommandModel]
    #: The command line takes the whole request body as JSON (`--body`) besides the field options.
    body: bool = False
    #: An update that changes only what was given: the model (or `module:Class`) that gets the
    #: object as it is now (see dbt_cloud.services.updates).
    update_from: type[CommandModel] | str | None = None
    #: The answer is a file, written where `--output-file` says (`-`, stdout, by default).
    saves: bool = False
    #: The help of `--output-file`, where the command has one.
    output_file: str | None = None
    #: Left out of the group's listing and completion, still callable: a deprecated twin (`-v2`).
    hidden: bool = False

    @property
    def python_name(self) -> str:
        return self.name.replace("-", "_")


#: The help of `--output-file` of a command whose answer is a file.
SAVE_HELP = "File to write the answer to ('-' for stdout)."
#: The help of `--output-file` of a command that prints JSON.
OUTPUT_FILE_HELP = "Write the answer to this file instead of stdout ('-')."
