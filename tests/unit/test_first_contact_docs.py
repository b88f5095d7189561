"""What a new user reads first says what is true today: how to install before a release is on
PyPI, and what `make demo` does."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
GETTING_STARTED = (ROOT / "docs" / "getting-started.md").read_text()
DEMO = (ROOT / "demo" / "run_demo.py").read_text()


def test_install_says_how_before_a_release_exists() -> None:
    for page in (README, GETTING_STARTED):
        assert "install 'git+https://github.com/dbt-cloud/dbt-cloud'" in page
        assert "pip install ." in page
    install = GETTING_STARTED.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^pipx install 'git\+https://", install, re.MULTILINE), "pipx from a git URL"
    first = re.search(r"^pip install (\S+)", README, re.MULTILINE)
    assert first is not None
    assert first.group(1) != "dbt-cloud", "the first install line works without a release"


def test_getting_started_describes_what_make_demo_does() -> None:
    described = GETTING_STARTED.split("`make demo` needs no dbt Cloud account.", 1)[1].split("\n## ", 1)[0]
    for command, in_demo in [
        ("local init", '"local",\n            "init"'),
        ("demo data-catalog --node NAME -o table", '"demo", "data-catalog"'),
        ("summary:", 'print(f"summary: {text}"'),
    ]:
        assert command in described, command
        assert in_demo in DEMO, in_demo
    assert "opens them in the" not in described, "the demo does not open the interactive explorer"
