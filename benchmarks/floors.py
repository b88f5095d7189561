"""What every benchmark writes beside its figures: the floor, i.e. what the same work costs with
nothing of ours in the way, measured in the same run, and the ratio of the two. `ratios.py` reads
these rows from every file of benchmarks/results/ for `make bench`'s table."""

from __future__ import annotations

import os
from typing import Any


def floor_row(what: str, ours: float, floor: float, floor_is: str, unit: str = "s") -> dict[str, Any]:
    """One comparison: ratio is ours / floor, in `unit` (for seconds above 1 is slower than the
    floor; for a throughput, MB/s, below 1 is slower)."""
    return {
        "what": what,
        "ours": ours,
        "floor": floor,
        "floor_is": floor_is,
        "unit": unit,
        "ratio": round(ours / floor, 3) if floor else None,
    }


def load_average() -> list[float]:
    """The machine's load when the run started (the 2-core machine is shared: numbers are noisy)."""
    return [round(value, 2) for value in os.getloadavg()]
