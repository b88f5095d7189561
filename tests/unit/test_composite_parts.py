"""The small parts the composite commands stand on: durations, --keep-jobs, step names, export
documents and their versions, and the plan's diff."""

from __future__ import annotations

import click
import pytest

from dbt_cloud.api.runs import dbt_command_of, format_seconds, materialization_step, run_duration
from dbt_cloud.cli.commands.composite import DURATION, ids_and_names
from dbt_cloud.errors import InputError, UsageError
from dbt_cloud.services.transfer import EXPORT_KEY, changed_fields, export_document, read_document


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("15m", 900.0), ("1h30m", 5400.0)])
def test_durations(text: str, seconds: float) -> None:
    assert DURATION.convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["soon", "10x", "-5"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        DURATION.convert(text, None, None)


def test_keep_jobs_in_every_spelling() -> None:
    assert ids_and_names(["[1, 2]", "3,4", "5", "Nightly build"]) == ({1, 2, 3, 4, 5}, {"Nightly build"})
    with pytest.raises(UsageError):
        ids_and_names(["[1, 2"])


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("Invoke dbt with `dbt build`", "build"),
        ("Invoke dbt with `dbt run --select tag:nightly`", "run"),
        ("Invoke dbt with `dbt docs generate`", "docs"),
        ("dbt seed", "seed"),
        ("Clone git repository", None),
    ],
)
def test_the_dbt_command_of_a_step(name: str, command: str | None) -> None:
    assert dbt_command_of(name) == command


def test_the_materialization_step_is_the_last_that_built_models() -> None:
    steps = ["Clone git repository", "Invoke dbt with `dbt seed`", "Invoke dbt with `dbt build`",
             "Invoke dbt with `dbt docs generate`"]  # fmt: skip
    run = {"run_steps": [{"index": n, "name": name} for n, name in enumerate(steps, 1)]}
    assert materialization_step(run) == {"index": 3, "name": "Invoke dbt with `dbt build`"}
    assert materialization_step({"run_steps": [{"index": 1, "name": "Invoke dbt with `dbt test`"}]}) is None


def test_durations_of_runs_read_both_timestamp_forms() -> None:
    run = {"created_at": "2021-12-07 10:32:24.326116+00:00", "finished_at": "2021-12-07T10:34:14.326116Z"}
    assert run_duration(run) == 110.0
    assert run_duration({"created_at": None}) is None
    assert format_seconds(110) == "1m 50s"
    assert format_seconds(3720) == "1h 02m"
    assert format_seconds(0.25) == "0.2s"


JOB = {"id": 5, "account_id": 1, "name": "n", "execute_steps": ["dbt build"], "created_at": "x",
       "environment": {"id": 9, "name": "Prod"}, "new_field": [1]}  # fmt: skip


def test_export_keeps_unknown_fields_and_moves_related_objects_aside() -> None:
    document = export_document([JOB], account_id=1, single=True)
    assert document[EXPORT_KEY]["related"] == {"environment": {"id": 9, "name": "Prod"}}
    assert {k: v for k, v in document.items() if k != EXPORT_KEY} == {
        "name": "n", "execute_steps": ["dbt build"], "new_field": [1],
    }  # fmt: skip
    (job,), single = read_document(document, origin="x")
    assert single
    assert job.source_job_id == 5
    assert job.definition == {"name": "n", "execute_steps": ["dbt build"], "new_field": [1]}


def test_a_jobs_document_round_trips() -> None:
    document = export_document([JOB, {**JOB, "id": 6, "name": "m"}], account_id=1, single=False)
    jobs, single = read_document(document, origin="x")
    assert not single
    assert [(j.source_job_id, j.name) for j in jobs] == [(5, "n"), (6, "m")]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"format": "job", "version": 2}, "newer dbt-cloud"),
        ({"format": "job", "version": "1"}, 'unknown export format version "1"'),
        ({"format": "job"}, "unknown export format version null"),
        ({"format": "project", "version": 1}, 'unknown export format "project"'),
        ({"version": 1}, "unknown export format null"),
        ("v1", "is not an object"),
    ],
)
def test_documents_that_cannot_be_read_are_refused_in_one_line(meta: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_document({EXPORT_KEY: meta, "name": "n", "execute_steps": []}, origin="job.json")
    assert message in caught.value.one_line()


def test_changes_are_the_fields_that_differ_as_dotted_paths() -> None:
    current = {"name": "a", "settings": {"threads": 4, "target_name": "default"}, "kept": 1}
    desired = {"name": "a", "settings": {"threads": 8, "target_name": "default"}, "new": True}
    assert changed_fields(current, desired) == {"settings.threads": (4, 8), "new": (None, True)}
