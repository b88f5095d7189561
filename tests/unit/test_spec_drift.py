"""The drift test: the command line, the generated modules and the vendored OpenAPI specs agree.

It fails when an operation of spec/openapi-v2.yaml or spec/openapi-v3.yaml has no command, when a
command's method, path, parameters, types or required flags disagree with its operation, or when
running scripts/generate_commands.py would change a committed file. Hand-written (curated) models
are held to the spec too, more loosely: they may leave out what the spec has, never add to it.
"""

from __future__ import annotations

import enum
import sys
import types
import typing
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel, Field

from dbt_cloud.api.fields import AccountId
from dbt_cloud.api.operation import Api, Body, CommandModel, Location, Operation, Query, field_param
from tests.unit.test_option_translation import ALL_COMMANDS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import command_naming  # scripts/ is not a package: found through sys.path
import generate_commands
from spec_operations import SpecOperation, operations, operations_by_key

GENERATED_PACKAGE = "dbt_cloud.api.generated"

#: Query parameters the specs do not list but the service takes, kept for dbt-cloud-cli's users.
UNLISTED_QUERY = {
    ("GET", "/api/v3/accounts/{account_id}/audit-logs/"): {"logged_at_start", "logged_at_end", "limit", "offset"},
}

#: Body fields of dbt-cloud-cli 0.9.1's options that the v3 specs no longer list; the drop-in keeps
#: them (the service still reads them) so that its users' scripts keep working.
#: Requests whose body the spec leaves out although the operation cannot work without one: the bulk
#: delete of environment variables names the ids it deletes (dbt_cloud/api/operations/environment_variable.py).
BODY_THE_SPEC_OMITS = {
    ("DELETE", "/api/v3/accounts/{account_id}/projects/{project_id}/environment-variables/bulk/"): {"ids"},
}

UNLISTED_BODY = {
    ("POST", "/api/v3/accounts/{account_id}/projects/{project_id}/connections/"): {"details", "id"},
    ("POST", "/api/v3/accounts/{account_id}/projects/{project_id}/environments/"): {
        "created_by_id",
        "custom_environment_variables",
        "dbt_project_subdirectory",
        "id",
        "raw_dbt_version",
        "repository_id",
    },
    ("POST", "/api/v3/accounts/{account_id}/projects/{project_id}/environments/{id}/"): {
        "created_by_id",
        "custom_environment_variables",
        "dbt_project_subdirectory",
        "raw_dbt_version",
        "repository_id",
    },
}

#: Filled by test_every_operation_has_a_command; printed at the end of the run (tests/unit/conftest.py).
COVERAGE: dict[str, int] = {}


def admin_commands() -> dict[tuple[str, str], list[tuple[str, type[CommandModel]]]]:
    """(method, path) -> the commands of the tree that run it: a command built from a model, or a
    composite naming the models it calls (`calls`), as the composite commands do."""
    found: dict[tuple[str, str], list[tuple[str, type[CommandModel]]]] = {}
    for path, command in ALL_COMMANDS:
        models = list(getattr(command, "calls", ())) or ([command.model] if hasattr(command, "model") else [])
        for model in models:
            operation = model.operation
            if operation.api is Api.ADMIN:
                key = (operation.method, operation.path)
                found.setdefault(key, []).append((" ".join(path), model))
    return found


def is_generated(model: type[CommandModel]) -> bool:
    return model.__module__.startswith(GENERATED_PACKAGE + ".")


@cache
def partial_updates() -> frozenset[tuple[str, str]]:
    """Operations whose command changes only what is given: every body field is optional there."""
    twins = generate_commands._get_twins(command_naming.command_names())
    return frozenset(twins) | frozenset(op.key for op in operations() if op.method == "PATCH")


# --- what a schema and an annotation say a value is ----------------------------------------------


def spec_kind(operation: SpecOperation, schema: dict[str, Any]) -> Any:
    resolved = operation.spec.resolve(schema)
    if resolved.get("allOf") and len(resolved["allOf"]) == 1:
        return spec_kind(operation, resolved["allOf"][0])
    if "enum" in resolved:
        return ("enum", frozenset(str(v) for v in resolved["enum"]))
    if "oneOf" in resolved or "anyOf" in resolved:
        return "any"
    kind = resolved.get("type")
    if kind == "string" or "const" in resolved:
        return "str"
    if kind in ("integer", "number", "boolean", "array"):
        return {"integer": "int", "number": "float", "boolean": "bool", "array": "list"}[kind]
    if kind == "object" or "properties" in resolved or "allOf" in resolved:
        return "object"
    return "any"


def model_kind(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        return model_kind(args[0]) if len(args) == 1 else "any"
    if origin is Literal:
        return ("enum", frozenset(str(v) for v in get_args(annotation)))
    if origin is list:
        return "list"
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "object"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return ("enum", frozenset(str(m.value) for m in annotation))
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if isinstance(annotation, type) and issubclass(annotation, kind):
            return name
    return "any"


def kinds_agree(spec: Any, model: Any, *, in_query: bool) -> bool:
    if spec == model or spec == "any":
        return True
    if isinstance(spec, tuple) and isinstance(model, tuple):
        return model[1] <= spec[1]
    return in_query and model == "str" and spec == "any"


# --- the checks ------------------------------------------------------------------------------------


def drift(model: type[CommandModel], operation: SpecOperation, *, strict: bool) -> list[str]:
    """How a command model disagrees with its operation. `strict` (generated models): the same
    parameters, types and required flags; otherwise (curated): nothing the spec does not have."""
    problems: list[str] = []
    op = model.operation
    if (op.method, op.path) != operation.key:
        problems.append(f"runs {op.method} {op.path}, not {operation.method} {operation.path}")
    if op.operation_id != operation.operation_id:
        problems.append(f"names its operation {op.operation_id!r}, the spec {operation.operation_id!r}")
    fields = {
        (field_param(info).wire_name or name): (name, field_param(info), info)
        for name, info in model.model_fields.items()
    }
    path_fields = {wire for wire, (_, param, _) in fields.items() if param.location is Location.PATH}
    if path_fields != {p.name for p in operation.path_params}:
        problems.append(f"path fields {sorted(path_fields)} != spec {sorted(p.name for p in operation.path_params)}")
    spec_query = {p.name: p for p in operation.query_params}
    query_fields = {wire for wire, (_, param, _) in fields.items() if param.location is Location.QUERY}
    unexplained = query_fields - set(spec_query) - UNLISTED_QUERY.get(operation.key, set())
    if unexplained:
        problems.append(f"sends query parameters the spec lacks: {sorted(unexplained)}")
    body_fields = {
        wire
        for wire, (_, param, _) in fields.items()
        if param.location is Location.BODY or (param.location is Location.PATH and param.also_body)
    }
    whole = [wire for wire, (_, param, _) in fields.items() if param.whole]
    omitted = BODY_THE_SPEC_OMITS.get(operation.key, set())
    if body_fields - omitted and op.method not in ("POST", "PUT", "PATCH"):
        problems.append("a body on a request that sends none")
    if body_fields - omitted and operation.body is None:
        problems.append("a body where the spec has none")
    spec_props = generate_commands._properties(operation.spec, operation.body) if operation.body else {}
    spec_body = {name for name, schema in spec_props.items() if not schema.get("readOnly")}
    extra_body = body_fields - spec_body - UNLISTED_BODY.get(operation.key, set()) - omitted
    if not whole and extra_body:
        problems.append(f"body fields the spec lacks: {sorted(extra_body)}")
    if not strict:
        return problems

    # Left out on purpose (issue 18): a list's paging on a write, and the fields the server sets.
    expected_query = set(spec_query)
    if op.method != "GET":
        expected_query -= generate_commands.LIST_QUERY
    if query_fields != expected_query:
        problems.append(f"query fields {sorted(query_fields)} != spec {sorted(expected_query)}")
    server_owned = set(command_naming.load_overrides().server_owned) - {p.name for p in operation.path_params}
    expected_body = spec_body - server_owned
    if operation.body is not None and not whole and body_fields != expected_body:
        problems.append(f"body fields lack {sorted(expected_body - body_fields)}")
    if operation.body is not None and whole and spec_props and set(spec_props) != {""}:
        problems.append("the whole body as one field, though the spec names its fields")
    if op.paginated != operation.paginated:
        problems.append(f"paginated={op.paginated}, the spec says {operation.paginated}")
    if op.envelope != (operation.answer in ("envelope", "empty")):
        problems.append(f"envelope={op.envelope}, but the spec's answer is {operation.answer}")
    partial = operation.key in partial_updates()
    required_body = set(operation.body.get("required") or []) if operation.body else set()
    for wire, (name, param, info) in fields.items():
        if param.location is Location.QUERY and wire in spec_query:
            spec_param = spec_query[wire]
            if info.is_required() != spec_param.required:
                problems.append(f"--{name}: required={info.is_required()}, the spec says {spec_param.required}")
            if not kinds_agree(spec_kind(operation, spec_param.schema), model_kind(info.annotation), in_query=True):
                problems.append(f"--{name}: {model_kind(info.annotation)} where the spec has {spec_param.schema}")
        elif param.location is Location.BODY and not param.whole and wire in spec_props:
            schema = spec_props[wire]
            default = operation.spec.resolve(schema).get("default", schema.get("default"))
            expected = wire in required_body and not partial and default is None
            if info.is_required() != expected:
                problems.append(f"--{name}: required={info.is_required()}, expected {expected}")
            if not kinds_agree(spec_kind(operation, schema), model_kind(info.annotation), in_query=False):
                problems.append(
                    f"--{name}: {model_kind(info.annotation)} where the spec has {spec_kind(operation, schema)}"
                )
        elif param.whole and info.is_required() != (operation.body_required and not partial):
            problems.append(f"--body: required={info.is_required()}, the spec says {operation.body_required}")
    return problems


def test_every_operation_has_a_command() -> None:
    runs = admin_commands()
    missing = [f"{op.method} {op.path} ({op.operation_id})" for op in operations() if op.key not in runs]
    total = len(operations())
    COVERAGE.update(covered=total - len(missing), total=total)
    report = f"{total - len(missing)} of {total} operations have a command"
    assert not missing, f"{report}; missing: {missing}"
    assert total == 207, "the vendored specs hold 52 + 155 operations"


def test_every_command_runs_an_operation_of_the_specs() -> None:
    known = operations_by_key()
    strays = [f"{name}: {key}" for key, holders in admin_commands().items() for name, _ in holders if key not in known]
    assert not strays


CHECKED = sorted(
    {
        (name, model)
        for key, holders in admin_commands().items()
        for name, model in holders
        if key in operations_by_key()
    },
    key=lambda item: item[0],
)


@pytest.mark.parametrize(("name", "model"), CHECKED, ids=[name for name, _ in CHECKED])
def test_command_agrees_with_its_operation(name: str, model: type[CommandModel]) -> None:
    operation = operations_by_key()[(model.operation.method, model.operation.path)]
    problems = drift(model, operation, strict=is_generated(model))
    assert not problems, f"`{name}` ({model.__module__}:{model.__name__}): " + "; ".join(problems)


def test_running_the_generator_changes_no_committed_file() -> None:
    stale = generate_commands.stale_files(generate_commands.render_all())
    assert not stale, f"stale generated modules {stale}: run `make generate`"


def test_generated_commands_have_the_names_the_rules_give() -> None:
    names = command_naming.command_names()
    tree = {key: [name for name, _ in holders] for key, holders in admin_commands().items()}
    wrong = [
        f"{op.operation_id}: {tree.get(op.key)} != {names[op.key]}"
        for op in operations()
        if str(names[op.key]) not in tree.get(op.key, [])
    ]
    assert not wrong


def test_curated_commands_are_where_the_override_table_says() -> None:
    for key, command in command_naming.curated_models().items():
        method, path = key.split(" ", 1)
        holders = dict(admin_commands()[(method, path)])
        assert command in holders, f"{key} should be `{command}`"
        assert not is_generated(holders[command]), f"`{command}` is hand-written, not generated"


def test_generated_models_are_importable_by_their_names() -> None:
    import importlib

    names = command_naming.command_names()
    for operation in operations():
        if command_naming.is_curated(operation):
            continue
        name = names[operation.key]
        module = importlib.import_module(f"{GENERATED_PACKAGE}.{generate_commands.snake(name.group)}")
        model = getattr(module, generate_commands.pascal(name.group) + generate_commands.pascal(name.name))
        assert (model.operation.method, model.operation.path) == operation.key


IMPORTED_ELSEWHERE = {
    "dbt_cloud.api.operations.job": ["JOBS", "JobCreate", "JobDelete", "JobGet", "JobList", "JobRun", "JobUpdate"],
    "dbt_cloud.api.operations.run": [
        "RUNS",
        "RunCancel",
        "RunGet",
        "RunGetArtifact",
        "RunList",
        "RunListArtifacts",
        "RunStatus",
    ],
}


@pytest.mark.parametrize("module_name", sorted(IMPORTED_ELSEWHERE))
def test_models_other_code_imports_stay_where_they_were(module_name: str) -> None:
    import importlib

    module = importlib.import_module(module_name)
    missing = [name for name in IMPORTED_ELSEWHERE[module_name] if not hasattr(module, name)]
    assert not missing, f"{module_name} lost {missing}"


# --- the checks catch what they are for --------------------------------------------------------------


def test_drift_is_found_in_a_model_that_disagrees_with_its_spec() -> None:
    operation = operations_by_key()[("GET", "/api/v3/accounts/{account_id}/groups/")]

    class Wrong(CommandModel):
        operation: ClassVar[Operation] = Operation("GET", "/api/v3/accounts/{account_id}/groups/", "List Group")
        account_id: AccountId
        name: Annotated[int | None, Query(), Field(description="x")] = None
        colour: Annotated[str | None, Query(), Field(description="x")] = None

    problems = " ".join(drift(Wrong, operation, strict=True))
    assert "'List Group'" in problems
    assert "colour" in problems, "a query parameter the spec lacks"
    assert "--name: int" in problems, "a type that disagrees"
    assert "query fields" in problems, "parameters of the spec left out"

    write = operations_by_key()[("POST", "/api/v3/accounts/{account_id}/groups/")]

    class Loose(CommandModel):
        operation: ClassVar[Operation] = Operation("POST", write.path, write.operation_id)
        account_id: AccountId
        name: Annotated[str | None, Body(), Field(description="x")] = None

    problems = " ".join(drift(Loose, write, strict=True))
    assert "--name: required=False, expected True" in problems
    assert "body fields lack" in problems
