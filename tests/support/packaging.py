"""Build the project as a release would, and install it where nothing else is installed.

`python -m build` makes the sdist and then the wheel *from that sdist*, so a file the sdist forgets
breaks the wheel too. The wheel is installed with pipx, as users are told to, into a pipx home of
its own: a fresh virtual environment with only dbt-cloud's own dependencies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Distributions:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class PipxInstall:
    home: Path
    bin_dir: Path

    @property
    def executable(self) -> Path:
        return self.bin_dir / "dbt-cloud"

    @property
    def python(self) -> Path:
        return self.home / "venvs" / "dbt-cloud" / "bin" / "python"


def build(outdir: Path) -> Distributions:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    wheels = sorted(outdir.glob("*.whl"))
    sdists = sorted(outdir.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise RuntimeError(f"expected one wheel and one sdist in {outdir}, found {wheels + sdists}")
    return Distributions(wheel=wheels[0], sdist=sdists[0])


def pipx_install(wheel: Path, where: Path) -> PipxInstall:
    install = PipxInstall(home=where / "pipx-home", bin_dir=where / "bin")
    env = {
        **os.environ,
        "PIPX_HOME": str(install.home),
        "PIPX_BIN_DIR": str(install.bin_dir),
        "PIPX_MAN_DIR": str(where / "man"),
        "PIPX_DEFAULT_PYTHON": sys.executable,
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipx", "install", str(wheel)], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pipx install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return install
