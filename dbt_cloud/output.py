"""Formatters: how an answer is written to stdout.

`json` (the default) prints the whole answer as dbt-cloud-cli did, so `| jq` scripts keep working;
`table` is for people; `ids` prints one id per line for `xargs`. Progress and errors never come here:
they go to stderr.
"""

from __future__ import annotations

import json
import shutil
from typing import IO, Any

FORMATS = ("json", "table", "ids")

#: Columns worth showing first, in this order, when they are present.
PREFERRED_COLUMNS = (
    "id",
    "name",
    "status_humanized",
    "state",
    "type",
    "project_id",
    "environment_id",
    "job_definition_id",
    "job_id",
    "dbt_version",
    "created_at",
    "finished_at",
    "updated_at",
)
MAX_COLUMNS = 7


def to_json(document: Any) -> str:
    # Exactly what dbt-cloud-cli printed (json.dumps with indent=2), so scripts parsing it keep working.
    return json.dumps(document, indent=2)


def render(document: Any, fmt: str, stream: IO[str], *, width: int | None = None) -> None:
    """Write an answer in the chosen format."""
    if fmt == "json":
        stream.write(to_json(document) + "\n")
        return
    data = document.get("data", document) if isinstance(document, dict) and "status" in document else document
    if fmt == "ids":
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and "id" in item:
                stream.write(f"{item['id']}\n")
            elif isinstance(item, (str, int)):
                stream.write(f"{item}\n")
        return
    if fmt == "table":
        stream.write(table(data, width=width or shutil.get_terminal_size((100, 24)).columns))
        return
    raise ValueError(f"unknown output format {fmt!r}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).replace("\n", " ")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(data: Any, *, width: int = 100) -> str:
    """A plain-text table: a list of objects as rows, one object as key/value lines."""
    if isinstance(data, list):
        if not data:
            return "(no items)\n"
        if not all(isinstance(item, dict) for item in data):
            return "".join(f"{_cell(item)}\n" for item in data)
        keys: list[str] = []
        for item in data:
            keys.extend(k for k in item if k not in keys)
        scalar = [k for k in keys if all(not isinstance(item.get(k), (dict, list)) for item in data)]
        columns = [k for k in PREFERRED_COLUMNS if k in scalar]
        columns += [k for k in scalar if k not in columns]
        columns = columns[:MAX_COLUMNS]
        rows = [columns] + [[_cell(item.get(k)) for k in columns] for item in data]
        return _layout(rows, width)
    if isinstance(data, dict):
        rows = [["field", "value"]] + [[str(k), _cell(v)] for k, v in data.items()]
        return _layout(rows, width)
    return f"{_cell(data)}\n"


def _layout(rows: list[list[str]], width: int) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    gap = 2 * (len(widths) - 1)
    while sum(widths) + gap > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    lines = []
    for index, row in enumerate(rows):
        text = "  ".join(_clip(cell, widths[i]).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        lines.append(text.upper() if index == 0 else text)
    return "\n".join(lines) + "\n"
