"""The catalog explorer on a big catalog: loading a generated 50 MB catalog.json and showing the first
menu, beside a bare `json.load` of the same file, side by side in one run (interleaved, median of
several), written to benchmarks/results/catalog.json.

Two measurements:
- in process: `load_catalog` (parse, check, index) and the first menu's choices, against `json.load`;
- end to end: `dbt-cloud demo data-catalog -f FILE` in a pseudo-terminal until the first menu is on the
  screen (interpreter start, imports, banner, load, menu), against `python -c "json.load(...)"`.

Run with `make bench` (it needs the dev extra: pexpect and pyte drive the terminal).
"""

from __future__ import annotations

import gc
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from floors import floor_row, load_average  # noqa: E402 - benchmarks/ is on the path (the script's folder)

from dbt_cloud.catalog.explorer import Action, Explorer  # noqa: E402 - after the path is set
from dbt_cloud.catalog.loading import load_catalog  # noqa: E402
from tests.support.terminal import VirtualTerminal  # noqa: E402

RUNS = 5
TARGET_BYTES = 50 * 1024 * 1024
RESULTS = ROOT / "benchmarks" / "results" / "catalog.json"
FIRST_MENU = "What do you want to explore?"
TYPES = ["NUMBER(38,0)", "VARCHAR(16777216)", "TIMESTAMP_NTZ", "BOOLEAN", "NUMBER(18,2)", "DATE"]


def generate_catalog(path: Path, target_bytes: int = TARGET_BYTES) -> int:
    """A Snowflake-like catalog of about `target_bytes` (written as dbt writes it, indented): tables of
    5 to 44 columns in 25 schemas, with stats. The same file every time (seeded)."""
    rng = random.Random(7)
    document: dict[str, Any] = {
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
            "dbt_version": "1.11.2",
            "generated_at": "2024-05-02T07:00:00Z",
            "invocation_id": "bench",
            "env": {},
        },
        "nodes": {},
        "sources": {},
        "errors": None,
    }
    size = 0
    number = 0
    kinds = ["model", "model", "model", "seed", "snapshot", "source"]
    while size < target_bytes:
        kind = kinds[number % len(kinds)]
        unique_id = f"{kind}.bench.{kind}_{number}" if kind != "source" else f"source.bench.raw.table_{number}"
        columns = {}
        for index in range(1, 6 + number % 40):
            name = f"COLUMN_{index}_{rng.choice(['ID', 'NAME', 'AMOUNT', 'CREATED_AT', 'STATUS'])}"
            comment = None if index % 3 else f"Comment on column {index} of table {number}"
            columns[name] = {"type": rng.choice(TYPES), "index": index, "name": name, "comment": comment}
        table = {
            "metadata": {
                "type": "BASE TABLE",
                "schema": f"SCHEMA_{number % 25}",
                "name": f"TABLE_{number}",
                "database": "ANALYTICS",
                "comment": None,
                "owner": "TRANSFORMER",
            },
            "columns": columns,
            "stats": {
                "row_count": {"id": "row_count", "label": "Row Count", "value": float(number * 10), "include": True},
                "bytes": {"id": "bytes", "label": "Approximate Size", "value": float(number * 4096), "include": True},
                "has_stats": {"id": "has_stats", "label": "Has Stats?", "value": True, "include": False},
            },
            "unique_id": unique_id,
        }
        document["sources" if kind == "source" else "nodes"][unique_id] = table
        size += len(json.dumps(table, indent=2)) + len(unique_id) + 8
        number += 1
    path.write_text(json.dumps(document, indent=2))
    return number


class _FirstMenuOnly:
    """A prompter that records the first menu and quits."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def choose(self, message: str, choices: Sequence[tuple[str, Any]]) -> Any:
        self.labels = [label for label, _ in choices]
        return Action.QUIT

    def ask(self, message: str) -> str:
        return ""


def bare_load(path: Path) -> None:
    with path.open() as handle:
        json.load(handle)


def explorer_first_menu(path: Path) -> None:
    catalog = load_catalog(path)
    prompter = _FirstMenuOnly()
    Explorer(catalog=catalog, manifest=lambda: None, prompter=prompter, write=lambda text: None).run()
    assert prompter.labels, "the first menu was not shown"


def _timed(action: Callable[[], None]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bare_load_process(path: Path) -> None:
    code = f"import json; json.load(open({str(path)!r}))"
    subprocess.run([sys.executable, "-c", code], check=True)


def explorer_process(path: Path) -> None:
    """The console script in a pseudo-terminal whose emulated screen answers the terminal queries
    inquirer's terminal library makes at start, as a real terminal does."""
    command = str(Path(sys.executable).parent / "dbt-cloud")
    terminal = VirtualTerminal([command, "demo", "data-catalog", "-f", str(path), "--title-font", "standard"])
    try:
        terminal.wait_for(FIRST_MENU, timeout=120)
    finally:
        terminal.close()


def measure(cases: dict[str, Callable[[], None]]) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(RUNS):
        for name, action in cases.items():  # interleaved, so load on the machine hits every case alike
            samples[name].append(_timed(action))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    load_at_start = load_average()  # the machine is shared: the load says how noisy the run was
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        path = Path(tmp) / "catalog.json"
        tables = generate_catalog(path)
        size = path.stat().st_size
        print(f"generated {path.name}: {size / 2**20:.1f} MiB, {tables} tables", flush=True)
        in_process = measure({"json.load": lambda: bare_load(path), "explorer": lambda: explorer_first_menu(path)})
        end_to_end = measure(
            {
                "python -c json.load": lambda: bare_load_process(path),
                "dbt-cloud demo data-catalog": lambda: explorer_process(path),
            }
        )
    in_ratio = in_process["explorer"] / in_process["json.load"]
    e2e_ratio = end_to_end["dbt-cloud demo data-catalog"] / end_to_end["python -c json.load"]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": RUNS,
        "catalog_bytes": size,
        "catalog_tables": tables,
        "in_process": {
            "what": "json.load(file) vs load_catalog(file) + the first menu's choices",
            "median_seconds": {name: round(value, 4) for name, value in in_process.items()},
            "ratio_to_json_load": round(in_ratio, 2),
        },
        "end_to_end": {
            "what": "python -c 'json.load(...)' vs `dbt-cloud demo data-catalog -f FILE` in a pty until the first menu",
            "median_seconds": {name: round(value, 4) for name, value in end_to_end.items()},
            "ratio_to_json_load": round(e2e_ratio, 2),
        },
        "within_2x": in_ratio <= 2.0 and e2e_ratio <= 2.0,
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        "floors": [
            floor_row("explorer's first menu, in process", round(in_process["explorer"], 4),
                      round(in_process["json.load"], 4), "json.load"),
            floor_row("demo data-catalog to the first menu", round(end_to_end["dbt-cloud demo data-catalog"], 4),
                      round(end_to_end["python -c json.load"], 4), "python -c json.load"),
        ],
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for label, medians in (("in process", in_process), ("end to end", end_to_end)):
        for name, value in medians.items():
            print(f"{label:11} {name:30} {value * 1000:8.0f} ms")
    print(f"explorer / json.load: {in_ratio:.2f}x in process, {e2e_ratio:.2f}x end to end")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
