"""`make bench`'s last step: the table of every benchmark's ratio to its floor, read from the
`floors` rows of benchmarks/results/*.json (see floors.py). A file without them says so."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    print(f"{'benchmark':20} {'what':54} {'ours':>10} {'floor':>10} {'unit':5} {'ratio':>7}  floor is")
    for path in sorted(RESULTS.glob("*.json")):
        document = json.loads(path.read_text())
        rows = document.get("floors") or []
        if not rows:
            print(f"{path.stem:20} {'(no floor recorded)':54}")
        for row in rows:
            ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
            print(
                f"{path.stem:20} {row['what'][:54]:54} {row['ours']:>10.4g} {row['floor']:>10.4g} "
                f"{row['unit']:5} {ratio:>7}  {row['floor_is']}"
            )


if __name__ == "__main__":
    main()
