"""Conformance of the local runner to the vendored specs, checked by schemathesis, bounded.

Every operation of spec/openapi-v2.yaml and spec/openapi-v3.yaml that the runner's route table
serves (picked up from the table itself, so operations added there are covered without a change
here) gets requests generated from its schema, valid ones and invalid ones, against a runner of its
own. Two checks: no answer is a server error, and every successful JSON answer fits the
operation's response schema with the service's three documented divergences allowed (written down
in tests/support/spec_allowances.py). Bounded in examples: a fixed budget of cases spread over the
operations (about a minute on a laptop), derandomized so a failure replays.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.errors import UnsupportedSchema
from starlette.routing import Match

from dbt_cloud.local.app import create_app
from dbt_cloud.local.store import Store
from tests.support.local_runner import LocalRunner
from tests.support.spec_allowances import RELATED, response_errors, spec

#: Failures found here whose fix is under way on another branch (runner-api: ids at or above 2**63
#: reach SQLite; `pk`/`pk__in` filters on runs; connections lack the spec's `environment__count`).
#: While any remain the test is marked xfail with the list; any other failure fails it. Remove once
#: those fixes are merged and the test passes without them.
FIXED_ELSEWHERE = (
    "OverflowError: Python int too large to convert to SQLite INTEGER",
    "cannot filter runs by id",
    "'environment__count'",
)

#: Cases over all operations; each gets its share, at least MIN_EXAMPLES.
CASE_BUDGET = 1600
MIN_EXAMPLES = 6
MAX_EXAMPLES = 40


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    """A runner of its own (the cases create, update and delete at random), whose runs never reach
    dbt: its repository is not a local folder, so a triggered run errors at once instead of loading
    a machine shared with other tests."""
    data_dir = tmp_path_factory.mktemp("conformance-runner")
    runner = LocalRunner(data_dir).prepare()
    store = runner.store()
    try:
        for repository in store.all("repository"):
            store.replace("repository", repository["id"], {**repository, "remote_url": "git@example.invalid:x.git"})
    finally:
        store.close()
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()


def served(data_dir: Path) -> set[tuple[str, str]]:
    """The (method, spec path) pairs the runner's route table serves."""
    store = Store(data_dir / "routes.sqlite3")
    try:
        routes = create_app(store, None, data_dir).routes
    finally:
        store.close()
    found = set()
    for version in ("v2", "v3"):
        for path, operations in spec(version)["paths"].items():
            concrete = re.sub(r"\{[^}]+\}", "1", path)  # a value every route converter takes
            for method in operations:
                if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    continue
                scope = {"type": "http", "path": concrete, "method": method.upper(), "root_path": ""}
                if any(route.matches(scope)[0] is Match.FULL for route in routes):
                    found.add((method.upper(), path))
    return found


class Conformance:
    """Cases for one operation after another, against one runner; failures are collected, one per
    operation and kind, so a run reports all it found."""

    def __init__(self, runner: LocalRunner, examples: int) -> None:
        self.runner = runner
        self.examples = examples
        self.session = requests.Session()
        self.auth = {"Authorization": f"Token {runner.token}"}
        self.failures: list[str] = []
        self.unsupported: list[str] = []
        self.calls = 0
        #: Successful JSON answers checked against their response schema.
        self.validated = 0

    def exercise(self, version: str, operation: Any) -> None:
        strategy = st.one_of(
            operation.as_strategy(mode, path_parameters={"account_id": self.runner.account_id})
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        )
        seen: set[str] = set()

        @settings(
            max_examples=self.examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],  # failures are collected, not raised: nothing to shrink
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case: Any) -> None:
            self.check(version, case, seen)

        try:
            check()
        except UnsupportedSchema:
            # A request schema schemathesis cannot generate from (recursive); counted, and bounded below.
            self.unsupported.append(f"{operation.method.upper()} {operation.path}")

    def check(self, version: str, case: Any, seen: set[str]) -> None:
        # Most generated ids name nothing; some name the objects the runner has.
        for name, value in list(case.path_parameters.items()):
            if name != "account_id" and isinstance(value, int) and value % 3:
                case.path_parameters[name] = 1 + abs(value) % 3
        label = f"{case.method} {case.formatted_path}"
        try:
            response = case.call(base_url=self.runner.base_url, session=self.session, headers=self.auth, timeout=15)
        except requests.RequestException as error:
            # No answer at all (a dropped connection, a hang) is as much a server fault as a 5xx.
            self.record(seen, f"{case.method} {case.path} no answer", f"no answer: {label}: {error}\n"
                        f"  {case.as_curl_command()}")  # fmt: skip
            return
        self.calls += 1
        if response.status_code >= 500:
            self.record(seen, f"{case.method} {case.path} 5xx", f"5xx: {label} -> {response.status_code} "
                        f"{response.text[:200]}\n  {case.as_curl_command()}")  # fmt: skip
            return
        if 200 <= response.status_code < 300 and "json" in " ".join(response.headers.get("content-type", [])):
            included = _included(case.query)
            errors = response_errors(version, case.method, case.path, response.status_code, response.json(), included)
            self.validated += 1
            if errors:
                self.record(seen, f"{case.method} {case.path} schema", f"schema: {label}: {errors[:3]}\n"
                            f"  {case.as_curl_command()}")  # fmt: skip

    def record(self, seen: set[str], key: str, failure: str) -> None:
        if key not in seen:
            seen.add(key)
            self.failures.append(failure)


def test_schemathesis_finds_no_server_error_and_answers_fit_their_schemas(runner: LocalRunner, tmp_path: Path) -> None:
    implemented = served(tmp_path)
    assert len(implemented) >= 60, "the route table was read"
    conformance = Conformance(runner, max(MIN_EXAMPLES, min(MAX_EXAMPLES, CASE_BUDGET // len(implemented))))
    started = time.monotonic()
    for version in ("v2", "v3"):
        for result in schemathesis.openapi.from_dict(spec(version)).get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in implemented:
                conformance.exercise(version, operation)
    elapsed = time.monotonic() - started
    assert conformance.calls >= len(implemented) * MIN_EXAMPLES // 2, f"only {conformance.calls} requests made"
    assert conformance.validated >= len(implemented), "few successful answers: the schema check saw little"
    assert len(conformance.unsupported) <= len(implemented) // 10, conformance.unsupported
    report = f"{len(conformance.failures)} failures in {conformance.calls} cases ({elapsed:.0f} s):\n"
    unexplained = [
        failure for failure in conformance.failures if not any(known in failure for known in FIXED_ELSEWHERE)
    ]
    assert not unexplained, report + "\n".join(unexplained)
    if conformance.failures:
        pytest.xfail(report + "\n".join(conformance.failures))


def _included(query: Any) -> set[str]:
    """The related objects a request asked for, in the forms the API reads (`a,b`, a JSON list, repeated keys)."""
    value = (query or {}).get("include_related")
    values = value if isinstance(value, list) else [value]
    names = set()
    for item in values:
        if isinstance(item, str):
            names |= {name.strip(" []\"'") for name in item.split(",")}
    return names & RELATED
