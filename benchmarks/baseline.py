"""dbt-cloud-cli 0.9.1, the tool this one replaces, installed in a virtual environment of its own
(benchmarks/.venvs/, ignored by git) so that the benchmarks can run it side by side."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venvs" / "dbt-cloud-cli-0.9.1"


def dbt_cloud_cli() -> tuple[Path | None, str]:
    """The `dbt-cloud` script of dbt-cloud-cli 0.9.1, installing it on first use; or None and why not."""
    script = VENV / "bin" / "dbt-cloud"
    if script.exists():
        return script, "installed"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True)
        subprocess.run(
            [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "dbt-cloud-cli==0.9.1"],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        return None, f"could not install dbt-cloud-cli 0.9.1: {(exc.stderr or '').strip()[-300:]}"
    return (script, "installed now") if script.exists() else (None, "dbt-cloud-cli 0.9.1 has no dbt-cloud script")


def host_for_0_9_1(url: str) -> str:
    """dbt-cloud-cli 0.9.1 puts `https://` before the host itself: give it `127.0.0.1:PORT`."""
    return url.split("://", 1)[-1]


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Run a command to its end: its wall time in seconds, its peak RSS in bytes and the CPU seconds
    it used (of that process alone, from wait4). A failure stops the benchmark with its error."""
    import tempfile
    import time

    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-500:]
            raise SystemExit(f"{' '.join(command[:4])} ... failed ({process.returncode}): {message}")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime
