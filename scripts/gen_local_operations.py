"""Write the table of docs/local-runner.md that lists every operation of the vendored specs and
says how the local runner answers it: with behaviour (it acts, as the service does) or by keeping
state (create, read back, list, update, delete).

    python scripts/gen_local_operations.py          # rewrite the table (`make docs`)
    python scripts/gen_local_operations.py --check  # exit 1 if the committed table differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dbt_cloud.local.app import describe_operations  # noqa: E402

TARGET = ROOT / "docs" / "local-runner.md"
START = "<!-- operations:start (scripts/gen_local_operations.py writes this table) -->"
END = "<!-- operations:end -->"


def render_table() -> str:
    rows = ["| method | path | kind | answered with |", "|---|---|---|---|"]
    for method, path, kind, how in describe_operations():
        rows.append(f"| {method} | `{path}` | {kind} | {how} |")
    return "\n".join(rows)


def render(current: str) -> str:
    before, _, rest = current.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{render_table()}\n{END}{after}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed table is not current")
    arguments = parser.parse_args()
    current = TARGET.read_text()
    wanted = render(current)
    if arguments.check:
        if wanted != current:
            print("docs/local-runner.md's table of operations is stale: run python scripts/gen_local_operations.py")
            return 1
        return 0
    TARGET.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
