"""Answers a real server will not give on demand, from the recorded stub API: bad gzip, a redirect
loop, JSON nested 100,000 deep, NaN and Infinity. Each ends as exit 1 with one plain line (never
"unexpected ..."), nothing on stdout, and never invalid JSON copied out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TOKEN, invoke
from tests.support.recorded_api import RecordedApi, Reply

JSON = {"Content-Type": "application/json"}
OK = b'"status": {"code": 200, "is_success": true}'

CASES = {
    "bad gzip": (Reply(200, b"this is not gzip at all", {**JSON, "Content-Encoding": "gzip"}), "compressed"),
    "redirect loop": (Reply(302, b"", {"Location": "/api/v2/accounts/123456/jobs/"}), "redirect"),
    "deep JSON": (Reply(200, b"[" * 100_000 + b"]" * 100_000, JSON), "nested too deep"),
    "deep JSON in an envelope": (
        Reply(200, b"{" + OK + b', "data": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}", JSON),
        "nested too deep",
    ),
}


def env_of(api: RecordedApi) -> dict[str, str]:
    return {"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "123456"}


def plain_failure(args: list[str], api: RecordedApi, says: str) -> None:
    outcome = invoke(args, env=env_of(api))
    assert outcome.exit_code == 1, outcome.stderr
    assert outcome.stdout == ""
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    line = outcome.stderr_lines[0]
    assert line.startswith("Error: "), line
    assert "unexpected" not in line.lower(), line
    assert "Traceback" not in outcome.stderr
    assert says in line.lower(), line


@pytest.mark.parametrize("name", list(CASES))
def test_an_odd_answer_is_one_plain_line(api: RecordedApi, name: str) -> None:
    reply, says = CASES[name]
    api.fail_next(reply, times=100)
    plain_failure(["--max-retries", "0", "job", "list"], api, says)


@pytest.mark.parametrize("name", list(CASES))
def test_an_odd_answer_to_the_api_command_too(api: RecordedApi, name: str) -> None:
    reply, says = CASES[name]
    api.fail_next(reply, times=100)
    plain_failure(["--max-retries", "0", "api", "GET", "/api/v2/accounts/123456/jobs/"], api, says)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_not_copied(api: RecordedApi, value: str) -> None:
    body = b"{" + OK + b', "data": [{"id": 1, "name": "x", "score": ' + value.encode() + b"}]}"
    api.fail_next(Reply(200, body, JSON), times=100)
    for args in (["job", "list"], ["api", "GET", "/api/v2/accounts/123456/jobs/"]):
        plain_failure(["--max-retries", "0", *args], api, "is not a json number")


def test_ordinary_answers_still_parse(api: RecordedApi) -> None:
    outcome = invoke(["job", "list"], env=env_of(api))
    assert outcome.exit_code == 0, outcome.stderr
    assert isinstance(json.loads(outcome.stdout)["data"], list)


def test_a_download_that_does_not_decompress_leaves_no_file(api: RecordedApi, tmp_path: Path) -> None:
    api.fail_next(Reply(200, b"garbage, not gzip", {**JSON, "Content-Encoding": "gzip"}), times=100)
    target = tmp_path / "manifest.json"
    args = ["--max-retries", "0", "run", "get-artifact", "--run-id", "1", "--path", "manifest.json", "-f", str(target)]
    outcome = invoke(args, env=env_of(api))
    assert outcome.exit_code == 1, outcome.stderr
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    assert "does not decompress" in outcome.stderr, outcome.stderr
    assert "unexpected" not in outcome.stderr.lower()
    assert list(tmp_path.iterdir()) == [], "no file, not even a temporary one"
