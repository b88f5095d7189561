"""`dbt-cloud --version`: our version with Python's and httpx's (what a bug report needs), read
without importing httpx, the same on the command line and from the programmatic runner."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib.metadata import version

from dbt_cloud import __version__
from dbt_cloud.about import installed_version, version_line
from dbt_cloud.runner import DbtCloudRunner
from tests.unit.test_startup import loaded_after

EXPECTED = f"dbt-cloud {__version__} (Python {platform.python_version()}, httpx {version('httpx')})"


def test_the_console_script_prints_the_three_versions() -> None:
    script = [sys.executable, "-c", "from dbt_cloud.cli import main; main(['--version'])"]
    result = subprocess.run(script, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, EXPECTED + "\n", "")


def test_the_version_line_imports_neither_httpx_nor_a_group() -> None:
    loaded = loaded_after(["--version"])
    assert not any(loaded.values()), loaded


def test_the_runner_answers_the_same_line() -> None:
    with DbtCloudRunner() as runner:
        result = runner.invoke(["--version"])
    assert (result.success, result.result, result.exit_code) == (True, EXPECTED, 0)
    assert version_line() == EXPECTED


def test_a_missing_distribution_is_said_so() -> None:
    assert installed_version("no-such-distribution-here") == "not installed"
