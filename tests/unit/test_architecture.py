"""The shape of the package (docs/architecture.md): no import cycle among dbt_cloud's modules, the
typed client without click, and the registry that both skins read agreeing with the command line.
The direction of imports between the layers is import-linter's contract (`make lint`)."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import grimp
import pytest

from dbt_cloud.api.registry import group_names, verbs
from dbt_cloud.cli import cli
from dbt_cloud.cli.options import ModelCommand


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


LOCAL = "dbt_cloud.local"


def _in_local(cycle: list[str]) -> bool:
    return all(module == LOCAL or module.startswith(LOCAL + ".") for module in cycle)


def test_no_import_cycle_among_the_modules() -> None:
    # Every import counts: at module level, inside functions, and under TYPE_CHECKING.
    graph = grimp.build_graph("dbt_cloud")
    assert [cycle for cycle in _cycles(graph) if not _in_local(cycle)] == []


def test_no_import_cycle_in_the_local_runner() -> None:
    graph = grimp.build_graph("dbt_cloud")
    assert [cycle for cycle in _cycles(graph) if _in_local(cycle)] == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph) == [["a", "b"]]


# click is made unimportable: httpx imports it for its own command line when it can (and then
# swallows the ImportError), so "not in sys.modules" would measure httpx; an import of click by
# any dbt_cloud module on this path fails the call instead.
TYPED_CLIENT_PROBE = """
import json, sys
sys.modules["click"] = None
import httpx
from dbt_cloud import DbtCloud

def answer(request):
    if request.url.path.endswith("/runs/"):
        return httpx.Response(200, json={"status": {"code": 200}, "data": [{"id": 9}],
                                         "extra": {"pagination": {"count": 1, "total_count": 1}}})
    return httpx.Response(200, json={"status": {"code": 200}, "data": {"id": 42, "name": "nightly"}})

with DbtCloud(token="t", account_id=1, host="http://127.0.0.1:9", transport=httpx.MockTransport(answer)) as cloud:
    job = cloud.job.get(job_id=42)
    runs = [run.id for run in cloud.run.list(job_id=42)]
    updated = cloud.job.update(job_id=42, name="nightly")
print(json.dumps({"job": job.name, "runs": runs, "updated": updated.id,
                  "cli": [m for m in sys.modules if m.startswith("dbt_cloud.cli")]}))
"""


def test_the_typed_client_loads_no_click() -> None:
    result = subprocess.run([sys.executable, "-c", TYPED_CLIENT_PROBE], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["job"] == "nightly"
    assert report["runs"] == [9]
    assert report["updated"] == 42
    assert report["cli"] == []


@pytest.mark.parametrize("group", group_names())
def test_the_command_line_sends_what_the_registry_says(group: str) -> None:
    command = cli.get_command(click.Context(cli), group)
    assert isinstance(command, click.Group)
    for name, verb in verbs(group).items():
        made = command.commands.get(name)
        assert made is not None, f"{group} {name}"
        if isinstance(made, ModelCommand):
            assert made.model is verb.model, f"{group} {name}"
