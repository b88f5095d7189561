"""Bad input, table-driven: each case gets the right exit code, exactly one line on stderr and no
traceback, nothing on stdout, and no file written or changed.

Usage mistakes are checked against the local runner (nothing may be sent for them); server faults
a healthy server never produces (a 500 without a body, a cut JSON answer, the wrong content type, a
huge answer) come from the recorded API, a real HTTP server told to misbehave once.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Outcome, invoke
from tests.support.local_runner import LocalRunner
from tests.support.recorded_api import RecordedApi, Reply

#: An output file that exists before each case: no case may change or remove it.
PRECIOUS = "precious.json"


@dataclass
class Case:
    name: str
    args: list[str]
    exit_code: int
    #: Substring the one stderr line must contain (case-insensitive).
    says: str
    env: dict[str, str] = field(default_factory=dict)
    #: For cases against the recorded API: the fault to inject.
    reply: Reply | None = None
    stdin: str | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def usage_cases(tmp: Path) -> list[Case]:
    malformed_profile = tmp / "broken.toml"
    malformed_profile.write_text("[default\napi_token = ")
    out = str(tmp / PRECIOUS)
    return [
        Case("missing token", ["job", "list"], 2, "token", env={"DBT_CLOUD_API_TOKEN": ""}),
        Case("blank token", ["job", "list"], 2, "token", env={"DBT_CLOUD_API_TOKEN": "   "}),
        Case("account id not a number", ["job", "list", "--account-id", "abc"], 2, "account-id"),
        Case("account id missing", ["job", "list"], 2, "account", env={"DBT_CLOUD_ACCOUNT_ID": ""}),
        Case("account id in env not a number", ["job", "list"], 2, "account", env={"DBT_CLOUD_ACCOUNT_ID": "x1"}),
        Case("unknown enum value", ["run", "list", "--status", "bogus"], 2, "status"),
        Case("unknown order", ["job", "get", "--job-id", "1", "-o", "xml"], 2, "xml"),
        Case(
            "malformed JSON option",
            ["environment", "create", "--project-id", "1", "--name", "e", "--custom-environment-variables", "{bad"],
            2,
            "json",
        ),
        Case(
            "nonexistent @file",
            [
                "environment",
                "create",
                "--project-id",
                "1",
                "--name",
                "e",
                "--custom-environment-variables",
                "@/nonexistent/vars.json",
            ],
            2,
            "vars.json",
        ),
        Case(
            "@file that is a directory",
            ["environment", "create", "--project-id", "1", "--name", "e", "--custom-environment-variables", f"@{tmp}"],
            2,
            "",
        ),
        Case(
            "output in a missing directory",
            ["job", "run", "--job-id", "1", "-f", str(tmp / "missing" / "out.json")],
            2,
            "missing",
        ),
        Case("unknown option", ["job", "list", "--bogus"], 2, "bogus"),
        Case("unknown command", ["job", "frobnicate"], 2, "frobnicate"),
        Case("unknown group", ["frobnicate"], 2, "frobnicate"),
        Case("negative limit", ["run", "list", "--limit", "-1"], 2, "limit"),
        Case("limit over 100", ["run", "list", "--limit", "1000"], 2, "limit"),
        Case("negative offset", ["run", "list", "--offset", "-5"], 2, "offset"),
        Case("limit not a number", ["run", "list", "--limit", "ten"], 2, "limit"),
        Case("empty host", ["job", "list", "--dbt-cloud-host", " "], 2, "host"),
        Case("host with a path", ["job", "list", "--dbt-cloud-host", "example.com/api"], 2, "host"),
        Case("host with a bad port", ["job", "list", "--dbt-cloud-host", "http://127.0.0.1:99999"], 2, "port"),
        Case("host with a bad scheme", ["job", "list", "--dbt-cloud-host", "ftp://example.com"], 2, "host"),
        Case("negative timeout", ["--timeout", "-1", "job", "list"], 2, "timeout"),
        Case("NaN timeout", ["--timeout", "nan", "job", "list"], 2, "not a finite number"),
        Case("timeout beyond the clock", ["--timeout", "9223372037", "job", "list"], 2, "timeout"),
        Case("NaN timeout in the environment", ["job", "list"], 2, "finite", env={"DBT_CLOUD_TIMEOUT": "nan"}),
        Case("retry budget beyond the clock", ["--retry-budget", "1e300", "job", "list"], 2, "retry-budget"),
        Case("command's NaN timeout", ["job", "list", "--timeout", "nan"], 2, "not a finite number"),
        Case("NaN poll interval", ["run", "watch", "1", "--poll-interval", "nan"], 2, "poll-interval"),
        # A shell cannot pass a NUL; a program calling the CLI in process can.
        Case("NUL in --output-dir", ["run", "get-artifact", "1", "--path", "a", "--output-dir", "o\0"], 2, "NUL"),
        Case("NUL in --download-artifacts", ["job", "run", "--job-id", "1", "--download-artifacts", "o\0"], 2, "NUL"),
        Case("NUL in a query file name", ["metadata", "query", "-f", "q\0"], 2, "NUL"),
        Case("wait timeout of centuries", ["job", "run", "--job-id", "1", "--wait-timeout", "9999999h"], 2, "at most"),
        Case("max retries not a number", ["--max-retries", "many", "job", "list"], 2, "max-retries"),
        Case("job id not a number", ["job", "get", "--job-id", "x"], 2, "job-id"),
        Case("run id missing", ["run", "get"], 2, "run-id"),
        Case("artifact path missing", ["run", "get-artifact", "--run-id", "1", "-f", out], 2, "path"),
        Case("job create without a name", ["job", "create", "--project-id", "1", "--environment-id", "1"], 2, "name"),
        Case("boolean option not a boolean", ["job", "create", "--name", "n", "--generate-docs", "maybe"], 2, "maybe"),
        Case("empty GraphQL query", ["metadata", "query"], 2, "query", stdin=""),
        Case("profile that does not exist", ["--profile", "nowhere", "job", "list"], 2, "nowhere"),
        Case(
            "malformed profile file",
            ["job", "list"],
            2,
            "broken.toml",
            env={"DBT_CLOUD_CONFIG": str(malformed_profile)},
        ),
        Case("project update with nothing to change", ["project", "update"], 2, "project"),
    ]


def network_cases(runner: LocalRunner) -> list[Case]:
    port = free_port()
    return [
        Case("unknown host", ["job", "list", "--dbt-cloud-host", "no-such-host.invalid"], 1, "unknown host"),
        Case("refused connection", ["job", "list", "--dbt-cloud-host", f"http://127.0.0.1:{port}"], 1, "connect"),
        Case(
            "TLS to a plain HTTP server",
            ["job", "list", "--dbt-cloud-host", runner.base_url.replace("http://", "https://")],
            1,
            "",
        ),
        Case("wrong token", ["job", "list"], 1, "invalid token", env={"DBT_CLOUD_API_TOKEN": "dbtl_nope"}),
        Case("unknown job", ["job", "get", "--job-id", "987654"], 1, "404"),
        Case("unknown run", ["run", "get", "--run-id", "987654"], 1, "404"),
        Case(
            "refused by validation",
            [
                "job",
                "create",
                "--project-id",
                "987654",
                "--environment-id",
                "1",
                "--name",
                "n",
                "--execute-steps",
                "dbt build",
            ],
            1,
            "400",
        ),
        Case("missing artifact", ["run", "get-artifact", "--run-id", "987654", "--path", "x.json"], 1, "404"),
    ]


def fault_cases() -> list[Case]:  # fmt: skip
    json_type = {"Content-Type": "application/json"}
    return [
        Case("500 with a body", ["job", "list"], 1, "500", reply=Reply.json({"status": {"user_message": "boom"}}, 500)),
        Case("500 without a body", ["job", "list"], 1, "500", reply=Reply(500)),
        Case("403 from a proxy, HTML", ["job", "list"], 1, "403", reply=Reply(403, b"<html>denied</html>")),
        Case(
            "HTML instead of JSON",
            ["job", "list"],
            1,
            "not json",
            reply=Reply(200, b"<html>hi</html>", {"Content-Type": "text/html"}),
        ),
        Case("truncated JSON", ["job", "list"], 1, "json", reply=Reply(200, b'{"status": {"code": 200', json_type)),
        Case(
            "wrong content type",
            ["job", "list"],
            1,
            "text/plain",
            reply=Reply(200, b"ok", {"Content-Type": "text/plain"}),
        ),
        Case("empty body", ["job", "list"], 1, "empty", reply=Reply(200, b"", json_type)),
        Case(
            "huge answer, cut",
            ["--max-retries", "0", "job", "list"],
            1,
            "",
            reply=Reply(
                200, b'{"data": [' + b"1, " * 4000, {**json_type, "X-Claimed-Length": str(1 << 30)}, cut_after=8000
            ),
        ),
        Case("JSON that is not an envelope", ["job", "list"], 1, "", reply=Reply.json(["not", "an", "envelope"])),
        Case("connection dropped", ["--max-retries", "0", "job", "list"], 1, "connection", reply=Reply(200, drop=True)),
    ]


def check(outcome: Outcome, case: Case, folder: Path, before: dict[str, bytes]) -> None:
    assert outcome.exit_code == case.exit_code, (case.name, outcome.stderr)
    assert outcome.stdout == "", (case.name, outcome.stdout)
    assert len(outcome.stderr_lines) == 1, (case.name, outcome.stderr)
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith("Error:") or outcome.stderr.startswith("Usage:") is False
    assert case.says.lower() in outcome.stderr.lower(), (case.name, outcome.stderr)
    after = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    assert after == before, f"{case.name} wrote or changed a file"


def folder_with_precious_file(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / PRECIOUS).write_text('{"keep": true}')
    return folder, {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def run_case(case: Case, env: dict[str, str], folder: Path, before: dict[str, bytes]) -> None:
    outcome = invoke([*case.args], env={**env, **case.env}, stdin=case.stdin)
    check(outcome, case, folder, before)


@pytest.mark.parametrize("index", range(43))
def test_usage_mistakes(local_runner: LocalRunner, tmp_path: Path, index: int) -> None:
    folder, before = folder_with_precious_file(tmp_path)
    case = usage_cases(folder)[index]
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    run_case(case, local_runner.env(), folder, before)


@pytest.mark.parametrize("index", range(8))
def test_network_and_api_refusals(local_runner: LocalRunner, tmp_path: Path, index: int) -> None:
    folder, before = folder_with_precious_file(tmp_path)
    case = network_cases(local_runner)[index]
    run_case(case, local_runner.env(), folder, before)


@pytest.mark.parametrize("index", range(10))
def test_server_faults(api: RecordedApi, tmp_path: Path, index: int) -> None:
    from tests.conftest import TOKEN

    folder, before = folder_with_precious_file(tmp_path)
    case = fault_cases()[index]
    assert case.reply is not None
    api.fail_next(case.reply, times=30)  # more than the 21 attempts of the default retries
    env = {"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "123456"}
    run_case(case, env, folder, before)


def test_the_table_holds_at_least_40_cases(local_runner: LocalRunner, tmp_path: Path) -> None:
    counts: list[Callable[[], int]] = [
        lambda: len(usage_cases(tmp_path)),
        lambda: len(network_cases(local_runner)),
        lambda: len(fault_cases()),
    ]
    assert [count() for count in counts] == [43, 8, 10]
    assert sum(count() for count in counts) >= 40


def test_a_refused_artifact_path_creates_no_folder(local_runner: LocalRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "get-artifact", "--run-id", "1", "--path", "manifest.json", "--path", "../../etc/passwd"]
    outcome = invoke([*args, "--output-dir", str(out)], env=local_runner.env())
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == ["Error: Invalid artifact path '../../etc/passwd'"]
    assert not out.exists()


# --- input that used to end as "unexpected ...Error" (issue 17): exit 2, saying what is wrong ----


def input_cases(tmp: Path) -> list[Case]:
    deep = tmp / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    latin1 = tmp / "latin1.json"
    latin1.write_bytes(b'{"name": "caf\xe9"}')
    nan = tmp / "nan.json"
    nan.write_text('{"name": NaN}')
    deep_yaml = tmp / "deep.yml"
    deep_yaml.write_text("[" * 100_000 + "]" * 100_000)
    update = ["account", "update"]
    post = ["api", "POST", "/api/v2/accounts/{account_id}/jobs/"]
    return [
        Case("--body @file nested 100,000 deep", [*update, "--body", f"@{deep}"], 2, "nested too deeply"),
        Case("--body @file not UTF-8", [*update, "--body", f"@{latin1}"], 2, "byte 0xe9"),
        Case("--body @file with NaN", [*update, "--body", f"@{nan}"], 2, "NaN is not JSON"),
        Case("--body inline nested deep", [*update, "--body", "[" * 50_000], 2, "nested too deeply"),
        Case("--body with a number beyond float", [*update, "--body", '{"n": 1e999}'], 2, "cannot carry (inf)"),
        Case("api --input nested 100,000 deep", [*post, "--input", str(deep)], 2, "nested too deeply"),
        Case("api --input not UTF-8", [*post, "--input", str(latin1)], 2, "byte 0xe9"),
        Case("api --input from stdin nested deep", [*post, "--input", "-"], 2, "nested too deeply", stdin="[" * 5000),
        Case("api -F nested deep", [*post, "-F", "x=" + "[" * 50_000 + "]" * 50_000], 2, "nested too deeply"),
        Case("--job-id -1", ["job", "get", "--job-id", "-1"], 2, "not an id"),
        Case("--job-id 0", ["job", "get", "--job-id", "0"], 2, "not an id"),
        Case("--run-id 0 in a composite", ["run", "watch", "--run-id", "0"], 2, "not an id"),
        Case("RUN_ID argument 0", ["run", "watch", "0"], 2, "not an id"),
        Case(
            "an id in a body option", ["job", "create", "--project-id", "1", "--environment-id", "-4"], 2, "not an id"
        ),
        Case("account id 0 in the environment", ["job", "list"], 2, "not an id", env={"DBT_CLOUD_ACCOUNT_ID": "0"}),
        Case("account id -7 in the environment", ["job", "list"], 2, "not an id", env={"DBT_CLOUD_ACCOUNT_ID": "-7"}),
        Case("job import of JSON nested 100,000 deep", ["job", "import", "-f", str(deep)], 2, "nested too deeply"),
        Case("job import of YAML nested 100,000 deep", ["job", "import", "-f", str(deep_yaml)], 2, "nested too deeply"),
        Case("job import of a file not UTF-8", ["job", "import", "-f", str(latin1)], 2, "byte 0xe9"),
        Case("metadata query file not UTF-8", ["metadata", "query", "-f", str(latin1)], 2, "not UTF-8"),
        Case(
            "a token with a character no header can carry",
            ["job", "list", "--api-token", "dbtc_\u00e9t\u00e9"],
            2,
            "non-ASCII",
        ),
    ]


@pytest.mark.parametrize("index", range(21))
def test_input_the_encoder_would_choke_on_is_refused_up_front(
    local_runner: LocalRunner, tmp_path: Path, index: int
) -> None:
    folder, before = folder_with_precious_file(tmp_path)
    case = input_cases(tmp_path)[index]
    run_case(case, local_runner.env(), folder, before)
    assert "unexpected" not in case.says


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["job", "run", "--job-id", "1", "--cause", b"nightly \xff\xfe"], "--cause"),
        (["project", "create", "--type", "1", "--name", b"caf\xe9"], "--name"),
        (["api", "POST", "/api/v2/accounts/{account_id}/jobs/", "-F", b"name=\xff"], "-F"),
    ],
)
def test_bytes_that_are_not_utf8_in_argv_are_exit_2(local_runner: LocalRunner, args: list[object], option: str) -> None:
    """The shell passes any bytes; Python keeps the undecodable ones as lone surrogates, which no
    request can carry."""
    import os
    import subprocess
    import sys

    argv = [os.fsencode(sys.executable), b"-m", b"dbt_cloud"]
    argv += [arg if isinstance(arg, bytes) else os.fsencode(str(arg)) for arg in args]
    env = {**os.environ, **local_runner.env(), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(argv, capture_output=True, env=env, check=False, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr
    assert done.stdout == b""
    assert stderr.count("\n") == 1, stderr
    assert option in stderr
    assert "not valid UTF-8" in stderr
    assert "unexpected" not in stderr
    assert "Traceback" not in stderr
