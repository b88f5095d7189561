"""Write dbt_cloud/local/api_spec.json: the paths and schemas of spec/openapi-v2.yaml and
spec/openapi-v3.yaml as JSON, the data the local runner builds its routes and resource kinds from.

    python scripts/generate_local_api.py          # write the file (`make generate`)
    python scripts/generate_local_api.py --check  # exit 1 if the committed file differs

JSON rather than the YAML itself: it ships inside the package (the wheel carries no spec/), and it
loads in milliseconds where parsing the YAML takes most of a second at every start.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "dbt_cloud" / "local" / "api_spec.json"
#: The parts of each spec the runner reads.
KEPT = ("paths", "components")


def render() -> str:
    specs: dict[str, Any] = {}
    for version in ("v2", "v3"):
        document = yaml.load((ROOT / "spec" / f"openapi-{version}.yaml").read_text(), Loader=yaml.CSafeLoader)
        specs[version] = {key: document[key] for key in KEPT if key in document}
    return json.dumps(specs, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is not current")
    arguments = parser.parse_args()
    text = render()
    if arguments.check:
        current = TARGET.read_text() if TARGET.is_file() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is not current: run python scripts/generate_local_api.py")
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
