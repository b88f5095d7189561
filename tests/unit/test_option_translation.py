"""The translation of model fields into click options, checked over the whole click tree so that
it cannot drift: every option of every model command matches its field."""

from __future__ import annotations

import enum
from typing import Annotated, Any, ClassVar

import click
import pytest
from pydantic import Field

from dbt_cloud.api.operation import Body, Cli, CommandModel, Operation, Path, Query
from dbt_cloud.cli import cli as root
from dbt_cloud.cli.options import (
    ID,
    JSON,
    TEXT,
    EnumChoice,
    ListItemType,
    ModelCommand,
    ModelOption,
    build_model,
    option_specs,
)
from dbt_cloud.errors import InputError


def walk(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join((*path, name))} does not load"
            found.extend(walk(sub, (*path, name)))
    return found


ALL_COMMANDS = walk(root)
MODEL_COMMANDS = [(path, cmd) for path, cmd in ALL_COMMANDS if isinstance(cmd, ModelCommand)]


def test_the_tree_has_every_group_and_model_commands() -> None:
    groups = {path[0] for path, _ in ALL_COMMANDS if path}
    assert {"account", "audit-log", "connection", "environment", "job", "metadata", "project", "run"} <= groups
    assert {"webhook", "service-token", "environment-variable", "user", "group", "scim"} <= groups
    standing_in = [cmd for _, cmd in ALL_COMMANDS if getattr(cmd, "represents", None) is not None]
    assert len(MODEL_COMMANDS) + len(standing_in) >= 208, "207 operations of the Admin API and the Discovery query"


@pytest.mark.parametrize(("path", "command"), MODEL_COMMANDS, ids=[" ".join(p) for p, _ in MODEL_COMMANDS])
def test_each_option_matches_its_field(path: tuple[str, ...], command: ModelCommand) -> None:
    specs = {spec.field_name: spec for spec in option_specs(command.model)}
    options = {param.spec.field_name: param for param in command.params if isinstance(param, ModelOption)}
    assert set(options) == set(specs), "every field has exactly one option"
    for name, option in options.items():
        spec = specs[name]
        assert option.name == name
        assert option.opts[0] == spec.flags[0]
        assert type(option.type) is type(spec.type)
        if isinstance(spec.type, click.Choice):
            assert list(option.type.choices) == list(spec.type.choices)  # type: ignore[attr-defined]
        assert option.multiple == spec.multiple
        assert option.default == spec.default
        assert option.envvar == spec.envvar
        assert option.help is not None
        assert spec.help in option.help, f"{name} has the field's help"
        assert bool(spec.help), f"{' '.join(path)} {spec.flags[0]} has no help text"
        assert ("[required" in option.help) == spec.required
        assert option.required is False  # required-ness is checked after the profile merge


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[" ".join(p) or "root" for p, _ in ALL_COMMANDS])
def test_every_help_renders(path: tuple[str, ...], command: click.Command) -> None:
    ctx = click.Context(command, info_name=path[-1] if path else "dbt-cloud")
    text = command.get_help(ctx)
    assert "Usage:" in text
    if isinstance(command, ModelCommand):
        operation = command.model.operation
        assert f"API: {operation.method} {operation.path}" in text
        summary = (command.help or "").split("\n\n")[0].strip()
        assert summary
        assert "\n" not in summary, "a one-line summary first"
        assert " ".join(summary.split()[:3]) in " ".join(text.split()), "shown first"
        locations = {spec.location for spec in option_specs(command.model)}
        for location, title in (("path", "Path options:"), ("query", "Query options:"), ("body", "Body options:")):
            assert (title in text) == (location in locations), f"{title} lists the {location} fields"


# --- the translation rules, on a model made for the purpose -----------------------------------


class Color(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10


class Sample(CommandModel):
    """A sample."""

    operation: ClassVar[Operation] = Operation("POST", "/things/{thing_id}/")
    thing_id: Annotated[int, Path(), Cli(envvar="THING_ID", setting="job_id"), Field(description="The thing.")]
    count: Annotated[int, Query(), Field(ge=1, description="How many.")] = 3
    ratio: Annotated[float | None, Query(), Field(description="A ratio.")] = None
    name: Annotated[str, Body(), Field(description="A name.")]
    active: Annotated[bool, Body(), Field(description="Active or not.")] = False
    color: Annotated[Color | None, Body(), Field(description="A color.")] = None
    level: Annotated[Level | None, Body(), Field(description="A level.")] = None
    tags: Annotated[list[str] | None, Body(), Field(description="Tags.")] = None
    ids: Annotated[list[int] | None, Body(), Field(description="Ids.")] = None
    extra: Annotated[dict[str, Any] | None, Body(), Field(description="Anything.")] = None


def spec_of(name: str) -> Any:
    return {spec.field_name: spec for spec in option_specs(Sample)}[name]


def test_types_map_to_click_types() -> None:
    assert spec_of("thing_id").type is ID  # an id: a whole number from 1 up
    assert spec_of("count").type is click.INT
    assert spec_of("ratio").type is click.FLOAT
    assert spec_of("name").type is TEXT
    assert isinstance(spec_of("color").type, EnumChoice)
    assert list(spec_of("color").type.choices) == ["red", "blue"]
    assert list(spec_of("level").type.choices) == ["low", "high"]
    assert spec_of("tags").multiple
    assert spec_of("ids").multiple
    assert isinstance(spec_of("ids").type, ListItemType), "repeated, or one JSON list"
    assert spec_of("ids").type.item is ID, "each item a positive id"
    assert spec_of("extra").type is JSON
    assert spec_of("active").is_flag
    assert spec_of("thing_id").envvar == "THING_ID"
    assert spec_of("count").default == 3
    assert spec_of("name").required
    assert not spec_of("count").required
    assert next(s.field_name for s in option_specs(Sample)) == "thing_id", "path fields come first"


@pytest.mark.parametrize("given", ["0", "-1", "-99999999999999999999"])
def test_an_impossible_id_is_refused_before_anything_is_sent(given: str) -> None:
    with pytest.raises(click.BadParameter, match="is not an id"):
        ID.convert(given, None, None)
    assert ID.convert("7", None, None) == 7
    assert ID.name == click.INT.name, "the help reads --job-id INTEGER, as before"


def run_sample(args: list[str]) -> CommandModel:
    captured: dict[str, Any] = {}

    @click.pass_context
    def callback(ctx: click.Context, **values: Any) -> None:
        captured["model"] = build_model(Sample, values, settings={"job_id": 99})

    command = ModelCommand("sample", Sample, callback)
    command.main(args, standalone_mode=False)
    return captured["model"]  # type: ignore[no-any-return]


def test_values_are_parsed_validated_and_sent_where_they_belong(tmp_path) -> None:
    body_file = tmp_path / "extra.json"
    body_file.write_text('{"deep": [1, 2]}')
    model = run_sample(
        ["--name", "n", "--active", "--color", "BLUE", "--level", "10", "--tags", "a", "--tags", "b",
         "--ids", "1", "--ids", "2", "--extra", f"@{body_file}", "--ratio", "0.5"]
    )  # fmt: skip
    request = model.request()
    assert request.path == "/things/99/", "the path id came from the settings (profile)"
    assert request.params == {"count": 3, "ratio": 0.5}
    assert request.json == {
        "name": "n",
        "active": True,
        "color": "blue",
        "level": 10,
        "tags": ["a", "b"],
        "ids": [1, 2],
        "extra": {"deep": [1, 2]},
    }


def test_boolean_takes_an_explicit_value_too() -> None:
    assert run_sample(["--name", "n", "--active", "false"]).request().json["active"] is False  # type: ignore[index]
    assert run_sample(["--name", "n", "--active", "true"]).request().json["active"] is True  # type: ignore[index]


def test_validation_errors_name_every_option_in_one_line() -> None:
    with pytest.raises(InputError) as caught:
        run_sample(["--count", "0"])
    message = caught.value.one_line()
    assert "\n" not in message
    assert "--count" in message
    assert "greater than or equal to 1" in message
    assert "Missing option --name" in message


def test_malformed_json_option_is_a_usage_error() -> None:
    with pytest.raises(click.BadParameter, match="not valid JSON"):
        run_sample(["--name", "n", "--extra", "{nope"])
    with pytest.raises(click.BadParameter, match="does not exist"):
        run_sample(["--name", "n", "--extra", "@/no/such/file.json"])


def test_a_path_value_cannot_walk_to_another_endpoint() -> None:
    from dbt_cloud.api.operations.run import RunGetArtifact

    ok = RunGetArtifact(account_id=1, run_id=2, path="run/proj/models/a b.sql").request()
    assert ok.path == "/api/v2/accounts/1/runs/2/artifacts/run/proj/models/a%20b.sql"
    quoted = RunGetArtifact(account_id=1, run_id=2, path="x?y=1#z").request()
    assert quoted.path.endswith("/artifacts/x%3Fy%3D1%23z"), "quoted, never a query or fragment"
    for bad in ("../../jobs/", "/etc/passwd", "a/../b", "a//b", "."):
        with pytest.raises(InputError):
            RunGetArtifact(account_id=1, run_id=2, path=bad).request()


def test_path_fields_must_match_the_template() -> None:
    with pytest.raises(TypeError, match="do not match"):

        class Broken(CommandModel):
            operation: ClassVar[Operation] = Operation("GET", "/a/{id}/")
            other: Annotated[int, Path()]
