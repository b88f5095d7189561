"""Generated commands read like a tool, not like the spec (issue 18, point 5): no server-owned
fields or paging options on a write, list options that repeat, sentences for summaries, deprecated
twins out of the listing, and an example in each group's help."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from dbt_cloud.api.registry import verbs
from dbt_cloud.cli.command_index import GROUPS
from tests.conftest import invoke
from tests.support.local_runner import LocalRunner


def options_of(*command: str) -> set[str]:
    text = invoke([*command, "--help"]).stdout
    return set(re.findall(r"(?m)^\s+(?:-\w, )?(--[\w-]+)", text))


def test_a_create_offers_no_server_owned_fields_nor_paging() -> None:
    offered = options_of("webhook", "create")
    assert {"--name", "--event-types", "--client-url", "--active", "--job-ids"} <= offered
    for owned in ("--id", "--http-status-code", "--dispatched-at", "--deactivate-reason", "--account-identifier"):
        assert owned not in offered, owned
    assert not {"--limit", "--offset"} & offered
    assert not {"--limit", "--offset", "--id"} & options_of("webhook", "update")


def test_list_options_repeat_and_still_take_a_json_list(local_cli: Any, local_runner: LocalRunner) -> None:
    events = ["job.run.completed", "job.run.errored"]
    # Inactive: an active one would send the events of every run of the shared runner to example.com.
    common = ["webhook", "create", "--client-url", "https://example.com/hook", "--active", "false"]
    repeated = local_cli(*common, "--name", "Repeated", *(f"--event-types={event}" for event in events))
    assert repeated.exit_code == 0, repeated.stderr
    assert json.loads(repeated.stdout)["data"]["event_types"] == events
    as_json = local_cli(*common, "--name", "As JSON", "--event-types", json.dumps(events), "--job-ids", "[1, 2]")
    assert as_json.exit_code == 0, as_json.stderr
    answer = json.loads(as_json.stdout)["data"]
    assert (answer["event_types"], answer["job_ids"]) == (events, [1, 2])
    bad = local_cli(*common, "--name", "Bad", "--event-types", "job.run.completed", "--job-ids", "[1, ")
    assert bad.exit_code == 2
    assert len(bad.stderr_lines) == 1
    assert "is not a JSON list" in bad.stderr


def test_deprecated_twins_are_out_of_the_listing_but_still_callable() -> None:
    listing = invoke(["environment", "--help"]).stdout
    assert "create-v2" not in listing
    assert "list-v2" not in listing
    assert "Usage: dbt-cloud environment list-v2" in invoke(["environment", "list-v2", "--help"]).stdout
    hidden = [f"{group} {verb.name}" for group in GROUPS for verb in verbs(group).values() if verb.hidden]
    assert "project create-v2" in hidden
    assert all(name.endswith(("-v2", "-v3")) for name in hidden), hidden


#: A spec title as a summary: every word capitalised ("Retrieve Projects Environment Variables Environment.").
RAW_TITLE = re.compile(r"^(?:[A-Z][\w-]*\s+)+[A-Z][\w-]*\.?$")


def every_command() -> list[tuple[str, click.Command]]:
    from dbt_cloud.cli import cli

    found = []
    ctx = click.Context(cli)
    for group_name in cli.list_commands(ctx):
        group = cli.get_command(ctx, group_name)
        if isinstance(group, click.Group):
            for name in group.list_commands(ctx):
                command = group.get_command(ctx, name)
                assert command is not None
                found.append((f"{group_name} {name}", command))
    return found


def test_no_summary_is_a_raw_spec_title() -> None:
    titles = []
    for name, command in every_command():
        summary = (command.help or "").strip().splitlines()[0]
        operation = getattr(getattr(command, "model", None), "operation", None)
        if RAW_TITLE.match(summary) or (operation is not None and summary.rstrip(".") == operation.operation_id):
            titles.append(f"{name}: {summary}")
    assert not titles, "\n".join(titles)


def test_every_generated_command_has_a_written_summary() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import command_naming

    names = command_naming.command_names()
    generated = {str(names[op.key]) for op in command_naming.operations() if not command_naming.is_curated(op)}
    written = set(command_naming.load_overrides().summaries)
    assert generated - written == set(), "commands without a sentence in [summaries]"
    assert written - generated == set(), "sentences for commands that do not exist"


def test_each_groups_help_ends_with_one_example_of_real_options() -> None:
    import shlex

    from dbt_cloud.cli.group_examples import EXAMPLES

    groups = dict(every_group())
    assert set(groups) == set(EXAMPLES), "every group has one example, and only groups"
    for name, group in groups.items():
        shown = invoke([name, "--help"]).stdout
        assert shown.rstrip().endswith(f"Example:\n    {EXAMPLES[name]}"), name
        words = shlex.split(EXAMPLES[name])
        assert words[:2] == ["dbt-cloud", name]
        command = group.get_command(click.Context(group), words[2])
        assert command is not None, EXAMPLES[name]
        known = {flag for param in command.params for flag in [*param.opts, *param.secondary_opts]}
        assert {word for word in words[3:] if word.startswith("-")} <= known, EXAMPLES[name]


def every_group() -> list[tuple[str, click.Group]]:
    from dbt_cloud.cli import cli

    ctx = click.Context(cli)
    found = [(name, cli.get_command(ctx, name)) for name in cli.list_commands(ctx)]
    return [(name, group) for name, group in found if isinstance(group, click.Group)]
