"""A command name the tree does not have gets the closest one it has, at the root as one level
down, in the same words (issue 18, point 3)."""

from __future__ import annotations

import pytest

from dbt_cloud.cli.suggest import suggestion
from tests.conftest import invoke

CASES = {
    ("jobs", "list"): ("jobs", "job", "dbt-cloud"),
    ("runs", "list"): ("runs", "run", "dbt-cloud"),
    ("projects", "list"): ("projects", "project", "dbt-cloud"),
    ("enviroment", "list"): ("enviroment", "environment", "dbt-cloud"),
    ("confgure",): ("confgure", "configure", "dbt-cloud"),
    ("job", "trigger"): ("trigger", "run", "dbt-cloud job"),
    ("job", "lst"): ("lst", "list", "dbt-cloud job"),
    ("local", "sevre"): ("sevre", "serve", "dbt-cloud local"),
}


@pytest.mark.parametrize("args", list(CASES), ids=[" ".join(args) for args in CASES])
def test_a_typo_names_the_command_meant_and_exits_2(args: tuple[str, ...]) -> None:
    typed, meant, where = CASES[args]
    outcome = invoke(list(args))
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == [f"Error: No such command '{typed}'. Did you mean '{meant}'? (see '{where} --help')"]


def test_a_typo_asking_for_help_gets_the_same_line() -> None:
    outcome = invoke(["job", "trigger", "--help"])
    assert outcome.exit_code == 2
    assert "Did you mean 'run'?" in outcome.stderr


def test_nothing_close_suggests_nothing() -> None:
    outcome = invoke(["xyzzy"])
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == ["Error: No such command 'xyzzy'. (see 'dbt-cloud --help')"]


def test_plurals_map_to_the_singular_before_the_closest_name() -> None:
    names = ["environment", "environment-variable", "policy", "job"]
    assert suggestion("", "environments", names) == "environment"
    assert suggestion("", "policies", names) == "policy"
    assert suggestion("", "JOBS", names) == "job"
    assert suggestion("job", "trigger", ["run", "list"]) == "run"
    assert suggestion("run", "trigger", ["get", "list"]) is None
