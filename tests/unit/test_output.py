"""`-o table` for people at 80 columns: rows keep their id, name and status whole, one object's long
values wrap instead of being cut, times are short and in UTC; colour, where wanted, changes no width."""

from __future__ import annotations

import re

from dbt_cloud.terminal.output import compact_time, table
from dbt_cloud.terminal.style import Style

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG = (
    "Builds every model of the warehouse, then runs the tests of each, then writes the documentation site, "
    "and finally sends https://hooks.example.com/services/T000/B000/averyveryverylongtokenlikepathsegment a note."
)


def widths(text: str) -> list[int]:
    return [len(ANSI.sub("", line)) for line in text.splitlines()]


def runs(count: int = 3) -> list[dict[str, object]]:
    statuses = ["Success", "Error", "Cancelled"]
    return [
        {
            "id": 312345670 + index,
            "account_id": 1,
            "job_definition_id": 42,
            "job_id": 42,
            "status": 10,
            "status_humanized": statuses[index % 3],
            "project_id": 7,
            "environment_id": 9,
            "created_at": "2026-11-23 11:26:56.684363+00:00",
            "finished_at": "2026-11-23T12:27:07.912070+01:00",
            "duration": "00:00:11",
            "trigger": {"cause": "nested values stay out of a list"},
            "git_sha": None,
        }
        for index in range(count)
    ]


def test_a_list_of_runs_fits_80_columns_with_ids_and_statuses_whole() -> None:
    text = table(runs(), width=80)
    lines = text.splitlines()
    assert max(widths(text)) <= 80
    assert re.split(r"\s{2,}", lines[0])[:3] == ["ID", "STATUS", "JOB"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["312345670", "Success"],
        ["312345671", "Error"],
        ["312345672", "Cancelled"],
    ]
    headers = set(re.split(r"\s{2,}", lines[0]))
    assert not headers & {"ACCOUNT_ID", "STATUS_HUMANIZED", "JOB_ID"}, "redundant columns left out"
    assert not headers & {"TRIGGER", "GIT_SHA"}, "nested and empty columns left out"
    assert "2026-11-23 11:26" in lines[1]
    assert "+00:00" not in text
    assert "2026-11-23 11:27" in lines[1], "a time with an offset is shown in UTC"


def test_a_long_name_is_kept_whole_up_to_forty_and_other_columns_give_way() -> None:
    name = "Data quality checks (fails on purpose)"
    items = [{"id": 1, "name": name, "job_type": "scheduled", "project_id": 3, "created_at": "2026-01-02 03:04:05"}]
    assert name in table(items, width=80)
    narrow = table(items, width=60).splitlines()
    assert name in narrow[1]
    assert max(widths("\n".join(narrow))) <= 60
    tiny = table(items, width=30).splitlines()
    assert tiny[1].startswith("1   Data quality checks (fa")
    assert tiny[1].endswith("…")
    assert max(widths("\n".join(tiny))) <= 30


def test_one_object_is_field_value_lines_whose_long_values_wrap_whole() -> None:
    document = {
        "id": 1,
        "name": "Nightly",
        "description": LONG,
        "develop_pod_memory_request_mebibytes_of_the_account": 1024,
        "settings": {"threads": 4, "target_name": "prod"},
        "execute_steps": ["dbt seed", "dbt build"],
        "created_at": "2026-11-23 11:26:56.684363+00:00",
        "lock_reason": None,
        "blocked_by": [],
    }
    text = table(document, width=80)
    lines = text.splitlines()
    assert max(widths(text)) <= 80
    assert lines[0].split() == ["FIELD", "VALUE"]
    assert lines[1].split() == ["id", "1"]
    start = next(index for index, line in enumerate(lines) if line.startswith("description "))
    end = next(index for index in range(start + 1, len(lines)) if not lines[index].startswith(" "))
    assert end - start > 2, "the value wraps"
    shown = " ".join(line.strip() for line in lines[start:end]).removeprefix("description").strip()
    assert shown.replace(" ", "") == LONG.replace(" ", ""), "every character of the value is there, across lines"
    assert "develop_pod_memory_request_mebibytes_of_the_account" in lines, "a long field name has its own line"
    assert lines[lines.index("develop_pod_memory_request_mebibytes_of_the_account") + 1].strip() == "1024"
    assert any(line.split() == ["settings.threads", "4"] for line in lines), "nested fields are dotted"
    assert any(line.split(None, 1) == ["execute_steps", "dbt seed, dbt build"] for line in lines)
    assert any(line.split(None, 1) == ["created_at", "2026-11-23 11:26:56 UTC"] for line in lines)
    assert not {"lock_reason", "blocked_by"} & {line.split()[0] for line in lines}, "fields without a value left out"


def test_colour_marks_headers_and_statuses_and_changes_no_width() -> None:
    plain = table(runs(), width=80)
    painted = table(runs(), width=80, style=Style(True))
    assert ANSI.sub("", painted) == plain
    assert "\x1b[1mID\x1b[0m" in painted
    assert "\x1b[32mSuccess\x1b[0m" in painted
    assert "\x1b[31mError\x1b[0m" in painted
    assert "\x1b[33mCancelled\x1b[0m" in painted
    single = table({"id": 1, "status_humanized": "Error"}, width=80, style=Style(True))
    assert "\x1b[31mError\x1b[0m" in single


def test_compact_time() -> None:
    assert compact_time("2026-11-23 11:26:56.684363+00:00") == "2026-11-23 11:26"
    assert compact_time("2026-11-23T23:30:00-02:00", seconds=True) == "2026-11-24 01:30:00 UTC"
    assert compact_time("2026-11-23T11:26:56Z") == "2026-11-23 11:26"
    assert table({"when": "not a time 2026"}, width=80).splitlines()[1].split(None, 1)[1] == "not a time 2026"


def test_lists_without_objects_or_cells() -> None:
    assert table([], width=80) == "(no items)\n"
    assert table(["a", 2], width=80) == "a\n2\n"
    assert table([{"nested": {"a": 1}}], width=80) == '{"nested": {"a": 1}}\n'
    assert table({}, width=80) == "(no fields)\n"


def test_nested_objects_get_tables_of_their_own() -> None:
    """A mapping of names to objects (the environment variables answer) and a list of objects (an
    import's plan) are tables with a row each, not `variables.X.project.value` lines."""
    variables = {
        "variables": {
            "DBT_WAREHOUSE": {"project": {"id": 7, "value": "small"}, "Production": {"id": 8, "value": "large"}},
            "DBT_SCHEMA": {"project": {"id": 9, "value": "analytics"}},
        }
    }
    lines = table(variables, width=80).splitlines()
    assert lines[0] == "variables (2)"
    assert re.split(r"\s{2,}", lines[1])[:2] == ["NAME", "PROJECT.VALUE"]
    assert re.split(r"\s{2,}", next(line for line in lines if line.startswith("DBT_WAREHOUSE")))[:2] == [
        "DBT_WAREHOUSE",
        "small",
    ]
    assert not any(".project.value" in line for line in lines)
    changes = {"name": {}, "schedule.cron": {}}
    plan = {"plan": [{"action": "update", "job_id": 5, "name": "Nightly", "changes": changes}]}
    lines = table(plan, width=80).splitlines()
    assert lines[0] == "plan (1)"
    header = re.split(r"\s{2,}", lines[1])
    assert {"ACTION", "JOB_ID", "NAME", "CHANGES"} <= set(header)
    row = dict(zip(header, re.split(r"\s{2,}", lines[2]), strict=True))
    assert row["CHANGES"] == "name, schedule.cron"
    assert not any("plan[0]" in line for line in lines)


def test_a_long_path_is_broken_between_its_parts_never_inside_one() -> None:
    path = "/home/runner/work/analytics/analytics/target/run/dbt_cloud_demo/models/marts/customer_lifetime_value.sql"
    lines = table({"id": 1, "log_path": path}, width=60).splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("log_path"))
    pieces = [line.split()[-1] for line in lines[start:]]
    assert "".join(pieces) == path
    assert all(piece.endswith("/") for piece in pieces[:-1]), pieces
    assert pieces[-1] == "customer_lifetime_value.sql"


def test_codes_say_what_they_mean_and_booleans_are_json_words() -> None:
    project = {"id": 1, "name": "Analytics", "type": 1, "repository_id": 3, "connection_id": 2}
    assert re.split(r"\s{2,}", table([project], width=80).splitlines()[1])[:3] == ["1", "Analytics", "hybrid"]
    job = {"id": 2, "name": "Nightly", "cron_humanized": "Every hour", "triggers": {"schedule": False}}
    fields = dict(line.split(None, 1) for line in table(job, width=80).splitlines())
    assert fields["cron_humanized"] == "off", "a job whose schedule trigger is off is not run every hour"
    assert fields["triggers.schedule"] == "false"
    on = {**job, "triggers": {"schedule": True}}
    assert dict(line.split(None, 1) for line in table(on, width=80).splitlines())["cron_humanized"] == "Every hour"
