"""dbt-cloud-cli 0.9.1, the tool this project replaces, installed unchanged from PyPI in a venv of its
own. The venv is kept in .cache/ (git-ignored) at the top of the checkout, so only the first session
pays for the install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VERSION = "0.9.1"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / f"dbt-cloud-cli-{VERSION}"


def dbt_cloud_cli_0_9_1() -> Path:
    """The `dbt-cloud` script of dbt-cloud-cli 0.9.1, installed on first use."""
    script = CACHE / "bin" / "dbt-cloud"
    # Written last: a venv whose install was interrupted is made again, not half used.
    installed = CACHE / ".installed"
    if installed.exists() and script.exists():
        return script
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(CACHE)], check=True, capture_output=True)
    subprocess.run(
        [str(CACHE / "bin" / "python"), "-m", "pip", "install", "--quiet", f"dbt-cloud-cli=={VERSION}"],
        check=True,
        capture_output=True,
        text=True,
    )
    installed.write_text(VERSION)
    return script
