"""The Python examples in the docs run, against the recorded API, with the settings a script
would have in its environment. A block whose first line is `# needs: <module>` runs once that
module exists (examples of features other branches are building)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.conftest import TOKEN
from tests.support.recorded_api import RecordedApi

DOCS = Path(__file__).resolve().parents[2] / "docs"


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S)


def runnable(block: str) -> bool:
    needs = re.match(r"# needs: ([\w.]+)\n", block)
    return needs is None or importlib.util.find_spec(needs.group(1)) is not None


def test_use_from_python_examples_run(api: RecordedApi, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_HOST", api.url)
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", "123456")
    blocks = python_blocks("python.md")
    assert len(blocks) >= 6
    ran = 0
    for block in blocks:
        if runnable(block):
            exec(compile(block, "docs/python.md", "exec"), {"__name__": "docs_example"})
            ran += 1
    assert ran >= 6
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert lines[0] == "34929305 Success", "the runner's first example"
    query = "job_definition_id=43167&order_by=-id&offset=0&limit=100"
    assert f"-> GET {api.url}/api/v2/accounts/123456/runs/?{query}" in lines
    assert "page at 0: 0 of 0" in lines
    assert "[True, True, True]" in lines, "the threads example"
    assert "Do nothing! -> 34929305 Success" in lines, "the typed client's example"
    assert "34929305 1" in lines, "the async example"
    (renamed,) = api.requests_to("POST", r"/jobs/43167/$")
    assert renamed.body["name"] == "Nightly build"
    assert len(api.requests_to("GET", r"/runs/34929305/artifacts/manifest.json$")) == 1
