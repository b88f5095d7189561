"""The Python examples in the docs run, against the recorded API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import TOKEN
from tests.support.recorded_api import RecordedApi

DOCS = Path(__file__).resolve().parents[2] / "docs"


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S)


def test_use_from_python_examples_run(api: RecordedApi, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_HOST", api.url)
    blocks = python_blocks("python.md")
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[:2] == ["34929305", "Success"]
    assert len(api.requests_to("POST", r"/jobs/43167/run/$")) == 1
