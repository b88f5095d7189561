"""Property-based fuzzing of the whole command line: for every command of the click tree,
hypothesis draws values for its options by their type (text with any characters, surrogates and
NUL included; huge and negative numbers; malformed, deep or non-finite JSON; paths that are
folders or missing) and checks what a user would see: never a traceback nor an "unexpected"
error, an exit code of 0, 1 or 2, and a usage error told in exactly one line.

Commands run in process (the CLI's own `run`) against a small HTTP server on 127.0.0.1 that
answers 404 to everything, so whatever gets through validation is refused at once and nothing
real is called. Bounded and derandomized: a few examples per command, the same ones on every
run, well under a minute in all.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_cloud.cli import cli, run
from dbt_cloud.cli.options import IdParamType, JsonParamType, StepsParamType
from tests.conftest import QUICK_BACKOFF
from tests.support.secrets_watch import remember_secret

TOKEN = "dbtc_fuzzing-token-0123456789"

#: Commands left out, each for a reason: they start servers, open a terminal UI, or act on the
#: machine rather than on the API.
SKIPPED = {
    ("local",): "starts, initializes or reads a local runner on this machine",
    ("mcp", "serve"): "serves MCP on stdin/stdout until it closes",
    ("demo",): "starts a local runner and a catalog UI",
}
#: Options never drawn: `--interactive` asks on a terminal instead of reading input.
NEVER_DRAWN = {"interactive"}


def _leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        where = (*path, name)
        if command is None or any(where[: len(prefix)] == prefix for prefix in SKIPPED):
            continue
        if isinstance(command, click.Group):
            yield from _leaves(command, where)
        else:
            yield where, command


COMMANDS = dict(_leaves(cli))


# --- a server that refuses everything ----------------------------------------------------------


class _NotFound(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"status": {"code": 404, "is_success": False, "user_message": "Not found."}}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _refuse  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def refusing_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Places:
    """Paths the values point at: a folder, something missing, files with bad content."""

    folder: Path
    missing: Path
    not_utf8: Path
    deep: Path
    nan: Path


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "folder").mkdir()
    (root / "latin1.json").write_bytes(b'{"name": "caf\xe9"}')
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (root / "nan.json").write_text('{"a": NaN}')
    return Places(
        root / "folder", root / "missing" / "x.json", root / "latin1.json", root / "deep.json", root / "nan.json"
    )


# --- values by type ----------------------------------------------------------------------------

#: Any character: surrogates (what Python makes of bytes that are not UTF-8) and NUL included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
#: Bytes as the shell would pass them, decoded as Python decodes argv.
ARGV_BYTES = st.binary(max_size=20).map(lambda raw: raw.decode("utf-8", "surrogateescape"))
TEXT = st.one_of(ANY_TEXT, ARGV_BYTES, st.sampled_from(["", " ", "-", "--", "\x00", "é", "a" * 5000]))
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "1", "7", "1e3", "0x10", " 7 ", "١٢", "9" * 5000, "", "nan"]),
)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "-0", "0.05", "5", ""]),
)
MALFORMED_JSON = st.sampled_from(
    ['{"a": ', "[1, 2", "{bad}", "NaN", '{"n": Infinity}', '{"n": 1e999}', "[" * 50_000, '"\\ud800"', "{}", "[]"]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
).map(lambda value: json.dumps(value, allow_nan=True))


#: Hosts as a user may type them: malformed in every way the URL parser knows, or well formed and
#: refusing at once (port 1). No host name that needs DNS: the machine may have none to ask.
HOSTS = st.sampled_from(
    [
        "http://[::1",
        "http://%zz",
        "ftp://127.0.0.1",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:",
        "http://127.0.0.1:0",
        "http://127.0.0.1/path",
        "http://u:secret@127.0.0.1:1",
        "http://127.0.0.1:1",
        "http://[::1]:1",
        "",
        " ",
        "http://",
        "http://\x00",
        "http://127.0.0.1:1?x=1#f",
        "\udcff",
    ]
)
TIMEOUTS = st.one_of(FLOATS, st.sampled_from(["9223372037", "1e-300", "0", "-1", "86400000000"]))


def _paths(places: Places) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [str(places.folder), str(places.missing), str(places.missing.parent), str(places.not_utf8), "/dev/full"]
    )


def _json(places: Places) -> st.SearchStrategy[str]:
    files = [places.folder, places.missing, places.not_utf8, places.deep, places.nan]
    return st.one_of(MALFORMED_JSON, JSON_VALUES, st.sampled_from([f"@{path}" for path in files]), TEXT)


def values_for(param: click.Parameter, places: Places) -> st.SearchStrategy[str]:
    """Values for one option or argument, by its type, with junk of every kind mixed in."""
    kind = param.type
    if param.name == "dbt_cloud_host":
        return HOSTS
    if param.name in ("timeout", "retry_budget"):
        return TIMEOUTS
    if param.name in ("output_file", "output_dir", "download_artifacts", "input_file", "file", "query_file"):
        return st.one_of(_paths(places), TEXT)
    if isinstance(kind, (JsonParamType,)):
        return _json(places)
    if isinstance(kind, click.Choice):
        return st.one_of(st.sampled_from([str(choice) for choice in kind.choices]), TEXT)
    if isinstance(kind, (IdParamType, click.types.IntParamType, click.IntRange)):
        return st.one_of(NUMBERS, TEXT)
    if isinstance(kind, (click.types.FloatParamType, click.FloatRange)):
        return st.one_of(FLOATS, TEXT)
    if isinstance(kind, click.types.BoolParamType):
        return st.sampled_from(["true", "false", "maybe", "", "1", "\udcff"])
    if isinstance(kind, click.Path):
        return st.one_of(_paths(places), TEXT)
    if isinstance(kind, StepsParamType):
        return st.one_of(st.sampled_from(['["dbt run"]', "[1, 2]", "['a'", "[" * 20_000]), TEXT)
    return TEXT


@st.composite
def command_lines(draw: st.DrawFn, command: click.Command, places: Places) -> list[str]:
    """A command line: some of the command's options, each with a drawn value, and its arguments."""
    args: list[str] = []
    options = [p for p in command.params if isinstance(p, click.Option) and p.name not in NEVER_DRAWN]
    options = [p for p in options if not (p.hidden and p.name == "help")]
    chosen = draw(st.lists(st.sampled_from(options), unique_by=lambda p: p.name, max_size=5)) if options else []
    for option in chosen:
        flag = option.opts[0]
        if option.is_flag:
            args.append(flag)
        else:
            args += [flag, draw(values_for(option, places))]
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        if draw(st.booleans()) or argument.required:
            args.append(draw(values_for(argument, places)))
    return args


#: The root's options drawn before each command (`--debug` and `--github` change what is printed,
#: `--version` prints and stops: the property is about the plain form).
ROOT_OPTIONS = [
    p
    for p in cli.params
    if isinstance(p, click.Option) and p.name in ("timeout", "max_retries", "retry_budget", "profile")
]


@st.composite
def root_options(draw: st.DrawFn, places: Places) -> list[str]:
    args: list[str] = []
    for option in draw(st.lists(st.sampled_from(ROOT_OPTIONS), unique_by=lambda p: p.name, max_size=2)):
        args += [option.opts[0], draw(values_for(option, places))]
    return args


# --- the property ------------------------------------------------------------------------------


@dataclass
class Seen:
    exit_code: int
    stdout: str
    stderr: str


def invoke_in_process(args: list[str], env: dict[str, str]) -> Seen:
    runner = CliRunner()
    with runner.isolation(input="", env=env) as (stdout, stderr, _):
        code = run(args, retry_policy=QUICK_BACKOFF)
        sys.stdout.flush()
        sys.stderr.flush()
        return Seen(code, stdout.getvalue().decode("utf-8", "replace"), stderr.getvalue().decode("utf-8", "replace"))


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_any_input_gets_a_clean_answer(
    path: tuple[str, ...], refusing_host: str, places: Places, tmp_path: Path
) -> None:
    command = COMMANDS[path]
    remember_secret(TOKEN)
    env = {
        "DBT_CLOUD_API_TOKEN": TOKEN,
        "DBT_CLOUD_ACCOUNT_ID": "1",
        "DBT_CLOUD_HOST": refusing_host,
        "DBT_CLOUD_CONFIG": str(tmp_path / "config.toml"),
        "DBT_CLOUD_MAX_RETRIES": "0",
    }

    @settings(
        max_examples=4,
        derandomize=True,
        database=None,
        deadline=timedelta(seconds=20),  # a bound, not a benchmark: far above what any example takes
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        root = data.draw(root_options(places), label="root options")
        args = [*root, *path, *data.draw(command_lines(command, places), label="args")]
        seen = invoke_in_process(args, env)
        shown = f"{args!r}\nexit {seen.exit_code}\nstderr: {seen.stderr}"
        assert seen.exit_code in (0, 1, 2), shown
        assert "Traceback" not in seen.stderr, shown
        assert "Error: unexpected" not in seen.stderr, shown
        lines = [line for line in seen.stderr.splitlines() if line.strip()]
        if seen.exit_code == 2:
            assert len(lines) == 1, shown
            assert lines[0].startswith("Error:"), shown
        if seen.exit_code != 0:
            assert seen.stdout == "", shown
            assert lines, shown
            assert lines[-1].startswith("Error:"), shown

    check()


def test_every_command_of_the_tree_is_fuzzed() -> None:
    """A fuzzing run that silently lost commands would still pass: the tree is walked whole."""
    assert len(COMMANDS) > 200
    assert ("job", "run") in COMMANDS
    assert ("api",) in COMMANDS
