"""The release artifacts: built as a release builds them, installed with pipx into a fresh
environment, and run from there against the local runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import dbt_cloud
from tests.support.local_runner import LocalRunner
from tests.support.packaging import Distributions, PipxInstall, pipx_install

pytestmark = pytest.mark.slow
VERSION = dbt_cloud.__version__


@pytest.fixture(scope="module")
def installed(built_distributions: Distributions, tmp_path_factory: pytest.TempPathFactory) -> PipxInstall:
    return pipx_install(built_distributions.wheel, tmp_path_factory.mktemp("pipx"))


def clean_env(**extra: str) -> dict[str, str]:
    """No DBT_CLOUD_* settings and no profile: only what the test gives."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_CLOUD_", "GITHUB_", "VIRTUAL_ENV"))}
    return {**env, **extra}


def run(installed: PipxInstall, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed.executable), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_names_carry_the_one_version(built_distributions: Distributions) -> None:
    assert built_distributions.wheel.name == f"dbt_cloud-{VERSION}-py3-none-any.whl"
    assert built_distributions.sdist.name == f"dbt_cloud-{VERSION}.tar.gz"
    with zipfile.ZipFile(built_distributions.wheel) as wheel:
        metadata = Parser().parsestr(wheel.read(f"dbt_cloud-{VERSION}.dist-info/METADATA").decode())
        entry_points = wheel.read(f"dbt_cloud-{VERSION}.dist-info/entry_points.txt").decode()
    assert metadata["Version"] == VERSION
    assert metadata["Requires-Python"] == ">=3.10"
    assert "dbt-cloud = dbt_cloud.cli:main" in entry_points
    # The local runner's packages are an extra, not a requirement of every install.
    requirements = metadata.get_all("Requires-Dist") or []
    assert any(r.startswith("dbt-core") and "extra == 'local'" in r for r in requirements)
    assert not any(r.startswith("dbt-core") and "extra" not in r for r in requirements)


def test_wheel_ships_what_the_code_reads_at_run_time(built_distributions: Distributions) -> None:
    with zipfile.ZipFile(built_distributions.wheel) as wheel:
        names = set(wheel.namelist())
    assert "dbt_cloud/py.typed" in names  # type checkers see the library's annotations
    assert "dbt_cloud/local/demo_project/dbt_project.yml" in names  # `dbt-cloud local init`
    assert "dbt_cloud/cli/command_index.py" in names  # the groups, their help and completion
    assert any(n.startswith("dbt_cloud/api/generated/") for n in names)
    assert "dbt_cloud/local/api_spec.json" in names  # the local runner builds its routes from it
    for page_file in ("index.html", "run-page.js", "run-page.css"):  # the runner's web page
        assert f"dbt_cloud/local/web/{page_file}" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "benchmarks/")) for n in names)


def test_sdist_holds_the_sources_tests_and_docs(built_distributions: Distributions) -> None:
    with tarfile.open(built_distributions.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "dbt_cloud/cli/__init__.py",
        "demo/project/dbt_project.yml",
    ):
        assert needed in names
    assert any(n.startswith("tests/") for n in names)
    assert any(n.startswith("spec/") for n in names)


def test_version_names_python_and_httpx(installed: PipxInstall) -> None:
    done = run(installed, "--version", env=clean_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"dbt-cloud {VERSION}")
    httpx_version = subprocess.run(
        [str(installed.python), "-c", "import httpx; print(httpx.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"httpx {httpx_version}" in done.stdout
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in done.stdout


def test_job_list_from_the_installed_wheel(installed: PipxInstall, local_runner: LocalRunner) -> None:
    done = run(installed, "job", "list", env=clean_env(**local_runner.env()))
    assert done.returncode == 0, done.stderr
    ids = {job["id"] for job in json.loads(done.stdout)["data"]}
    assert set(local_runner.jobs.values()) <= ids


def test_local_runner_without_its_extra_says_what_to_install(installed: PipxInstall, tmp_path: Path) -> None:
    done = run(installed, "local", "serve", env=clean_env(HOME=str(tmp_path)))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "pip install 'dbt-cloud[local]'" in lines[0]


def test_mcp_server_without_its_extra_says_what_to_install(installed: PipxInstall, tmp_path: Path) -> None:
    done = run(installed, "mcp", "serve", env=clean_env(HOME=str(tmp_path)))
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "pip install 'dbt-cloud[mcp]'" in lines[0]
