"""Write dbt_cloud/cli/help_index/: the help of every group and command of the root, as data, so that
`dbt-cloud <group> <command> --help` and completion need not import the group (and pydantic).

Run `make docs` after changing a command; `tests/unit/test_help_stubs.py` fails while a file
differs from what this script writes, or is left over, and checks that each stand-in writes the
same help as the command it stands for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbt_cloud.cli import cli, lazy_groups  # noqa: E402 - after the path is set
from dbt_cloud.cli.help_stubs import INDEX_DIR, command_entry, context_for  # noqa: E402


def render_all() -> dict[Path, str]:
    root = context_for(cli, "dbt-cloud", None)
    pages = {}
    for name in sorted(lazy_groups()):
        command = cli.get_command(root, name)
        assert command is not None, name
        entry = command_entry(command, context_for(command, name, root))
        pages[INDEX_DIR / f"{name}.json"] = json.dumps(entry, indent=1, ensure_ascii=False) + "\n"
    return pages


def stale_files(pages: dict[Path, str]) -> list[str]:
    stale = [p.name for p, text in pages.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if INDEX_DIR.exists():
        stale.extend(p.name for p in INDEX_DIR.glob("*.json") if p not in pages)
    return sorted(stale)


def main() -> None:
    pages = render_all()
    INDEX_DIR.mkdir(exist_ok=True)
    for leftover in INDEX_DIR.glob("*.json"):
        if leftover not in pages:
            leftover.unlink()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} files to {INDEX_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
