"""Typed answers: every command's answer gets the model its path names, and every answer recorded
from dbt Cloud fits its model's types (nothing falls back to unchecked values)."""

from __future__ import annotations

import importlib

import pytest

from dbt_cloud.api.operation import CommandModel
from dbt_cloud.api.resources import (
    Account,
    ApiObject,
    AuditLog,
    Connection,
    Environment,
    Job,
    Project,
    Run,
    model_for,
    parse_answer,
    parse_data,
)
from tests.support.recorded_api import sample


def command(path: str) -> type[CommandModel]:
    module, name = path.split(":")
    model: type[CommandModel] = getattr(importlib.import_module(f"dbt_cloud.api.operations.{module}"), name)
    return model


EXPECTED = {
    "account:AccountGet": Account,
    "account:AccountList": Account,
    "audit_log:AuditLogGet": AuditLog,
    "connection:ConnectionList": Connection,
    "connection:ConnectionDelete": Connection,
    "environment:EnvironmentUpdate": Environment,
    "project:ProjectCreate": Project,
    "job:JobList": Job,
    "job:JobGet": Job,
    "job:JobDelete": Job,
    "job:JobRun": Run,
    "run:RunGet": Run,
    "run:RunList": Run,
    "run:RunCancel": Run,
    "run:RunListArtifacts": ApiObject,
    "metadata:MetadataQuery": ApiObject,
}


@pytest.mark.parametrize(("path", "model"), EXPECTED.items())
def test_the_path_names_the_model(path: str, model: type[ApiObject]) -> None:
    assert model_for(command(path).operation) is model


SAMPLES = {
    "account_get_response": "account:AccountGet",
    "account_list_response": "account:AccountList",
    "audit_log_get_response": "audit_log:AuditLogGet",
    "connection_get_response": "connection:ConnectionGet",
    "connection_list_response": "connection:ConnectionList",
    "environment_get_response": "environment:EnvironmentGet",
    "environment_list_response": "environment:EnvironmentList",
    "job_get_response": "job:JobGet",
    "job_list_response": "job:JobList",
    "job_run_response": "job:JobRun",
    "project_get_response": "project:ProjectGet",
    "project_list_response": "project:ProjectList",
    "run_get_response": "run:RunGet",
    "run_cancel_response": "run:RunCancel",
}


@pytest.mark.parametrize(("name", "path"), SAMPLES.items())
def test_every_recorded_answer_fits_its_model(name: str, path: str) -> None:
    document = sample(name)
    model = model_for(command(path).operation)
    parsed = parse_answer(command(path).operation, document)
    items = parsed if isinstance(parsed, list) else [parsed]
    raw = document["data"] if isinstance(document["data"], list) else [document["data"]]
    for item, original in zip(items, raw, strict=True):
        assert type(item) is model
        model.model_validate(original)  # raises if a value broke a type: no silent fallback
        assert item.model_dump(mode="json", exclude_none=False).keys() >= original.keys(), "every field kept"
        assert item.id == original["id"]


def test_times_in_both_of_the_services_formats_are_read() -> None:
    run = parse_data(Run, {"id": 1, "created_at": "2021-11-26 16:48:41.431645+00:00", "finished_at": ""})
    iso = parse_data(Run, {"id": 1, "created_at": "2021-11-26T16:48:41.431645Z"})
    assert run.created_at == iso.created_at
    assert run.finished_at is None


def test_a_value_of_an_unexpected_shape_keeps_the_answer_readable() -> None:
    run = parse_data(Run, {"id": 1, "status": "not a code", "future_field": [1]})
    assert isinstance(run, Run)
    assert (run.status, run.future_field, run["id"]) == ("not a code", [1], 1)
