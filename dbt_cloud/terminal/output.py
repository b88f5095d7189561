"""Formatters: how an answer is written to stdout.

`json` (the default) prints the whole answer as dbt-cloud-cli did, so `| jq` scripts keep working;
`table` is for people; `ids` prints one id per line for `xargs`. Progress and errors never come here:
they go to stderr.

A table fits the terminal (80 columns included). A list keeps the columns that identify a row (id,
name, status) whole and adds the others, most telling first, while they fit; the name column alone
gives way when space is short. One object is written as field/value lines whose long values wrap
rather than being cut (a path breaks after a `/`); the lists of objects and the mappings of names
to objects inside it (a run's steps, an import's plan, environment variables) follow as tables of
their own. Times are shown in UTC to the minute (lists) or second (one object); codes whose words
are known are shown in words (a project's type, a job's schedule that is off), booleans as JSON's.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import timezone
from typing import IO, Any

from dbt_cloud.terminal.style import PLAIN, Style

FORMATS = ("json", "table", "ids")

#: Columns of a list in the order they are shown, when shown.
COLUMN_ORDER = (
    "id",
    "name",
    "status_humanized",
    "type",
    "job_type",
    "deployment_type",
    "job_definition_id",
    "project_id",
    "environment_id",
    "dbt_version",
    "cron_humanized",
    "created_at",
    "finished_at",
    "updated_at",
    "duration",
)
#: Columns that identify a row: always shown, and never clipped but for the name.
KEY_COLUMNS = ("id", "name", "status_humanized")
#: The other known columns, most telling first: they are added in this order while they fit.
COLUMN_PRIORITY = (
    "created_at",
    "job_definition_id",
    "finished_at",
    "type",
    "job_type",
    "deployment_type",
    "duration",
    "environment_id",
    "project_id",
    "dbt_version",
    "cron_humanized",
    "updated_at",
)
#: Columns that say nothing a list of one account's things needs: the account, which was asked for;
#: the state, active unless asked otherwise; codes whose readable twin is shown instead.
REDUNDANT_COLUMNS = {
    "account_id": None,
    "state": None,
    "status": "status_humanized",
    "job_id": "job_definition_id",
}
#: Short headers for the known columns; any other column is headed by its field name.
HEADERS = {
    "status_humanized": "STATUS",
    "job_definition_id": "JOB",
    "project_id": "PROJECT",
    "environment_id": "ENV",
    "deployment_type": "DEPLOYMENT",
    "dbt_version": "DBT",
    "cron_humanized": "SCHEDULE",
    "created_at": "CREATED (UTC)",
    "finished_at": "FINISHED (UTC)",
    "updated_at": "UPDATED (UTC)",
    "duration_humanized": "DURATION",
    "index": "STEP",
}
MAX_COLUMNS = 8
#: The name column is shown whole up to this width: other columns are left out before it is clipped.
NAME_MIN_WIDTH = 40
#: A column other than the key ones is clipped to this width.
OTHER_MAX_WIDTH = 24
GAP = "  "
#: `2026-11-23 11:26:56.684363+00:00` and the ISO 8601 forms the API also writes.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def to_json(document: Any) -> str:
    # Exactly what dbt-cloud-cli printed (json.dumps with indent=2), so scripts parsing it keep working.
    return json.dumps(document, indent=2)


def inline(value: Any) -> str:
    """A value inside a line of text, written as JSON writes it (`null`, `true`, `"text"`, `{...}`):
    a person reads the same words as in `-o json`, never Python's `None` or `{'a': 1}`. What JSON
    cannot hold (a placeholder of the import plan) is written as it describes itself."""
    return json.dumps(value, ensure_ascii=False, default=repr)


def terminal_width() -> int:
    """The width to fit: the terminal's, or `COLUMNS`, or 100 where there is neither."""
    return shutil.get_terminal_size((100, 24)).columns


def render(document: Any, fmt: str, stream: IO[str], *, width: int | None = None) -> None:
    """Write an answer in the chosen format."""
    if fmt == "json":
        stream.write(to_json(document) + "\n")
        return
    data = _data_of(document)
    if isinstance(data, list) and data and all(_is_envelope(item) for item in data):
        # The answers of a bulk command (each an API envelope): shown as the rows of their data.
        data = [_data_of(item) for item in data]
    if fmt == "ids":
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and "id" in item:
                stream.write(f"{item['id']}\n")
            elif isinstance(item, (str, int)):
                stream.write(f"{item}\n")
        return
    if fmt == "table":
        stream.write(table(data, width=width or terminal_width(), style=Style.for_stream(stream)))
        footer = page_footer(document, data)
        if footer:
            stream.write(footer + "\n")
        return
    raise ValueError(f"unknown output format {fmt!r}")


def _is_envelope(document: Any) -> bool:
    return isinstance(document, dict) and "status" in document and "data" in document


def _data_of(document: Any) -> Any:
    return document.get("data", document) if isinstance(document, dict) and "status" in document else document


def page_footer(document: Any, data: Any) -> str | None:
    """ "3 of 30 (use --all or --offset)" when a list answer is one page of more: a table that
    ends without it would read as everything there is."""
    if not isinstance(document, dict) or not isinstance(data, list):
        return None
    extra = document.get("extra")
    pagination = extra.get("pagination") if isinstance(extra, dict) else None
    total = pagination.get("total_count") if isinstance(pagination, dict) else None
    if not isinstance(total, int) or total <= len(data):
        return None
    return f"{len(data)} of {total} (use --all or --offset)"


def table(data: Any, *, width: int = 100, style: Style = PLAIN) -> str:
    """A plain-text table at most `width` columns wide: a list of objects as rows, one object as
    field/value lines."""
    if isinstance(data, list):
        if not data:
            return "(no items)\n"
        if not all(isinstance(item, dict) for item in data):
            return "".join(f"{_cell(item)}\n" for item in data)
        return _rows_table(data, width, style)
    if isinstance(data, dict):
        return _fields_table(data, width, style)
    return f"{_cell(data)}\n"


# --- cells ---------------------------------------------------------------------------------------


def _cell(value: Any, *, detailed: bool = False) -> str:
    """A value as text: in a row, on one line with times to the minute; `detailed` (one object's
    field), with its line breaks and times to the second."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # the words of -o json, not Python's
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if isinstance(value, str) and TIMESTAMP.match(text):
        return compact_time(text, seconds=detailed)
    return text if detailed else " ".join(text.split())


def compact_time(text: str, *, seconds: bool = False) -> str:
    """`2026-11-23 11:26` (or `11:26:56 UTC` with seconds) for any timestamp the API writes; a time
    with an offset is converted to UTC, one without is taken as UTC (the API's own)."""
    from dbt_cloud.api.runs import parse_timestamp

    moment = parse_timestamp(text)
    if moment is None:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M")


def clip(text: str, width: int) -> str:
    """The text cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- a list: rows --------------------------------------------------------------------------------


#: Values that say what they mean in place of a code: a project's `type` (API v2's enum).
PROJECT_TYPES = {0: "default", 1: "hybrid"}
#: Columns of a row too long to read in a cell: `run logs` prints a step's logs.
LONG_TEXT_COLUMNS = frozenset({"logs", "debug_logs", "truncated_debug_logs"})
#: Nested columns shown in a row by what they name: the fields an import would change.
KEYS_COLUMNS = frozenset({"changes"})
#: The columns a section of one object shows, in order, where the generic choice says less.
SECTION_COLUMNS = {"run_steps": ("index", "name", "status_humanized", "duration_humanized")}


def readable(item: dict[str, Any]) -> dict[str, Any]:
    """The object with codes told by what they mean: a project's type by its name, and a job whose
    schedule trigger is off with the schedule "off" (its cron still says "Every hour")."""
    changed = dict(item)
    if isinstance(item.get("type"), int) and "repository_id" in item:
        changed["type"] = PROJECT_TYPES.get(item["type"], item["type"])
    triggers = item.get("triggers")
    if "cron_humanized" in item and isinstance(triggers, dict) and triggers.get("schedule") is False:
        changed["cron_humanized"] = "off"
    return changed


def _candidate_columns(items: list[dict[str, Any]]) -> list[str]:
    """Columns worth a place, in the order they earn one: the key columns, the known ones by
    priority, then the rest as they come. Nested values and columns empty in every row are left out."""
    keys: list[str] = []
    for item in items:
        keys.extend(k for k in item if k not in keys)
    present = set(keys)

    def worth(key: str) -> bool:
        if key in LONG_TEXT_COLUMNS:
            return False
        if key not in KEYS_COLUMNS and any(isinstance(item.get(key), (dict, list)) for item in items):
            return False
        if all(_is_empty(item.get(key)) for item in items):
            return False
        if key in REDUNDANT_COLUMNS:
            twin = REDUNDANT_COLUMNS[key]
            return twin is not None and twin not in present
        return True

    ordered = [*KEY_COLUMNS, *COLUMN_PRIORITY, *keys]
    return [key for index, key in enumerate(ordered) if key in present and key not in ordered[:index] and worth(key)]


def _row_cell(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if key in KEYS_COLUMNS and isinstance(value, dict):
        return ", ".join(str(name) for name in value) or "none"
    return _cell(value)


def _rows_table(
    items: list[dict[str, Any]], width: int, style: Style, *, columns: tuple[str, ...] | None = None
) -> str:
    items = [readable(item) for item in items]
    candidates = _candidate_columns(items)
    if columns is not None:
        present = {key for item in items for key in item}
        candidates = [key for key in columns if key in present]
    if not candidates:  # nothing that fits a cell: one line of JSON per item
        return "".join(_cell(item) + "\n" for item in items)
    cells = {key: [_row_cell(item, key) for item in items] for key in candidates}
    natural = {key: max(len(_header(key)), *(len(text) for text in cells[key])) for key in candidates}

    def shown_width(key: str) -> int:
        if key == "name":
            return min(natural[key], NAME_MIN_WIDTH)
        return natural[key] if key in KEY_COLUMNS else min(natural[key], OTHER_MAX_WIDTH)

    chosen = [key for key in candidates if key in KEY_COLUMNS or columns is not None]
    used = sum(shown_width(key) for key in chosen) + len(GAP) * max(len(chosen) - 1, 0)
    for key in candidates:
        if key in chosen or len(chosen) >= MAX_COLUMNS:
            continue
        extra = len(GAP) * bool(chosen) + shown_width(key)
        if used + extra <= width:
            chosen.append(key)
            used += extra
    if not chosen:  # no key column, and the first other one is wider than the terminal
        chosen = candidates[:1]
        used = shown_width(chosen[0])
    widths = {key: shown_width(key) for key in chosen}
    if "name" in widths:  # the name takes what is left, or gives what is missing (down to 4)
        widths["name"] = max(min(natural["name"], widths["name"] + width - used), 4)
    if columns is None:
        order = sorted(chosen, key=lambda key: COLUMN_ORDER.index(key) if key in COLUMN_ORDER else len(COLUMN_ORDER))
    else:
        order = chosen

    def line(texts: list[str], paint: list[Any]) -> str:
        parts = []
        for key, text, painter in zip(order, texts, paint, strict=False):
            clipped = clip(text, widths[key])
            parts.append(painter(clipped) + " " * (widths[key] - len(clipped)))
        return GAP.join(parts).rstrip()

    lines = [line([_header(key) for key in order], [style.bold] * len(order))]
    painters = [style.status if key == "status_humanized" else str for key in order]
    for index in range(len(items)):
        lines.append(line([cells[key][index] for key in order], painters))
    return "\n".join(lines) + "\n"


def _header(key: str) -> str:
    return HEADERS.get(key, key.upper())


# --- one object: field/value lines ---------------------------------------------------------------


def _is_rows(value: Any) -> bool:
    """A list of objects (a run's steps, an import's plan): a table of rows of its own."""
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _is_keyed_objects(value: Any) -> bool:
    """A mapping of names to objects (`variables: {DBT_X: {project: {...}, environment: {...}}}`):
    a table with a row per name."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(inner, dict) and inner and not _is_keyed_objects(inner) for inner in value.values())
        and all(any(isinstance(leaf, dict) for leaf in inner.values()) for inner in value.values())
    )


def _values_first(fields: dict[str, Any]) -> dict[str, Any]:
    """The leaves of a named object with its values before its ids: `project.value` tells more
    in a row than `project.id`, and the columns are added in this order while they fit."""
    return dict(sorted(fields.items(), key=lambda item: item[0].rsplit(".", 1)[-1] in ("id", "account_id")))


def _split(value: Any, prefix: str = "") -> tuple[list[tuple[str, Any]], list[tuple[str, list[dict[str, Any]]]]]:
    """(dotted field, scalar) for every field with a value (`job.name`, `settings.threads`), and
    the nested tables: lists of objects and mappings of names to objects, each under its path."""
    fields: list[tuple[str, Any]] = []
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    if isinstance(value, dict) and prefix and _is_keyed_objects(value):
        rows = [{"name": str(key), **_values_first(dict(_split(inner)[0]))} for key, inner in value.items()]
        sections.append((prefix, rows))
    elif isinstance(value, dict):
        for key, inner in value.items():
            more_fields, more_sections = _split(inner, f"{prefix}.{key}" if prefix else str(key))
            fields.extend(more_fields)
            sections.extend(more_sections)
    elif _is_rows(value):
        sections.append((prefix, [dict(item) for item in value]))
    elif isinstance(value, list) and not _is_empty(value):
        fields.append((prefix, ", ".join(_cell(item, detailed=True) for item in value)))
    elif not _is_empty(value):
        fields.append((prefix, value))
    return fields, sections


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width`, broken at spaces; a word longer than a line (a URL) starts
    a line of its own and is cut into pieces there. Nothing is dropped but the spaces lines break at."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) <= width:
                line += " " + word
                continue
            if line:
                lines.append(line)
            while len(word) > width:
                cut = _cut_at(word, width)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _cut_at(word: str, width: int) -> int:
    """Where to cut a word longer than a line (a path, a URL): after its last `/` that fits, so
    no part of a path is broken; else after a query's `?&=`, a `.`, a `-` or `_`; mid-word only
    where there is none."""
    for marks in ("/", "?&=", ".", "-_"):  # a path's parts first; inside a part only where it must
        cut = max(word.rfind(mark, 0, width) for mark in marks)
        if cut > 0:
            return cut + 1
    return width


def _fields_table(document: dict[str, Any], width: int, style: Style) -> str:
    found, sections = _split(readable(document))
    fields = [(key, _cell(value, detailed=True)) for key, value in found]
    tables = "".join(_section(path, rows, document, width, style) for path, rows in sections)
    if not fields:
        return tables.lstrip("\n") or "(no fields)\n"
    return _field_lines(fields, width, style) + tables


def _section(path: str, rows: list[dict[str, Any]], document: dict[str, Any], width: int, style: Style) -> str:
    """A nested table: its path and number of rows as a title, then a row per item."""
    title = style.bold(f"{path} ({len(rows)})")
    columns = SECTION_COLUMNS.get(path)
    body = _rows_table(rows, width, style, columns=columns)
    note = ""
    if path == "run_steps" and isinstance(document.get("id"), int):
        note = f"(the steps' logs: dbt-cloud run logs {document['id']})\n"
    return f"\n{title}\n{body}{note}"


def _field_lines(fields: list[tuple[str, str]], width: int, style: Style) -> str:
    # As wide as the longest field name that fits in two fifths of the width; a longer one gets its own line.
    cap = max(width * 2 // 5, 8)
    key_width = max((len(key) for key, _ in fields if len(key) <= cap), default=cap)
    value_width = max(width - key_width - len(GAP), 20)
    indent = " " * (key_width + len(GAP))
    lines = [style.bold("FIELD".ljust(key_width)) + GAP + style.bold("VALUE")]
    for key, text in fields:
        painted = style.status if key == "status_humanized" else str
        pieces = _wrapped(text, value_width)
        if len(key) > key_width:  # a long field name has its own line, its value below
            lines.append(key)
            lines.extend(indent + painted(piece) for piece in pieces)
            continue
        lines.append((key.ljust(key_width) + GAP + painted(pieces[0])).rstrip())
        lines.extend(indent + painted(piece) for piece in pieces[1:])
    return "\n".join(lines) + "\n"
