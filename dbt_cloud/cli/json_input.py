"""What a user hands the CLI as text or JSON, checked before it goes anywhere near a request.

Everything here becomes a request body or a query, which must be UTF-8 JSON: text with bytes
that are not UTF-8 (the shell passes them through; Python keeps them as lone surrogates),
JSON nested beyond reason, NaN or Infinity (not JSON, though Python's parser takes them) and
numbers too long to convert are refused with a line that says what is wrong, instead of
failing later, deep in the encoder, as an "unexpected" error.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from dbt_cloud.errors import InputError
from dbt_cloud.files import read_bytes

#: No body of the dbt Cloud API nests anywhere near this deep; the limit keeps every encoder
#: and validator after the parser far from Python's recursion limit.
MAX_DEPTH = 100


def text_problem(text: str) -> str | None:
    """What makes `text` impossible to send as UTF-8, or None."""
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            code = ord(char)
            if 0xDC80 <= code <= 0xDCFF:  # how Python keeps an undecodable byte of argv or a file name
                return f"is not valid UTF-8 text (byte 0x{code - 0xDC00:02x} at position {index})"
            return f"holds a lone surrogate \\u{code:04x} at position {index}, which UTF-8 cannot encode"
    return None


def checked_text(text: str, what: str) -> str:
    """`text`, if it can be sent; else InputError naming `what` (`--cause`)."""
    problem = text_problem(text)
    if problem is not None:
        raise InputError(f"{what} {problem}")
    return text


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, source: str) -> Any:
    """The JSON document in `text`; `source` names it in errors (`--body`, `file vars.json`)."""
    problem = text_problem(text)
    if problem is not None:
        raise InputError(f"{source} {problem}")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{source} is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # NaN/Infinity, an integer of more than 4300 digits
        raise InputError(f"{source} is not valid JSON ({exc})") from None
    check_document(document, source)
    return document


def parse_json_or_text(text: str, source: str) -> Any:
    """`-F` values: the JSON document where `text` is one (`8`, `true`, `[1, 2]`), else the text
    itself (`NaN` too, which is no JSON); JSON too deep or with a number too large is refused."""
    checked_text(text, source)
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputError(f"{source} is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError:
        return text
    check_document(document, source)
    return document


def check_document(document: Any, source: str) -> None:
    """Refuse what a parsed document holds that cannot be sent as JSON: nesting deeper than
    MAX_DEPTH, numbers that are not finite (`1e999`), strings that are not UTF-8. Iterative, so
    that checking a deep document cannot itself run out of stack."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise InputError(f"{source} is nested too deeply (more than {MAX_DEPTH} levels)")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    pending.append((key, depth))
                pending.append((item, depth + 1))
        elif isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{source} holds a number JSON cannot carry ({value})")
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                raise InputError(f"{source} holds text that {problem}")


def read_text_file(path: Path, source: str) -> str:
    """A file's text, which must be UTF-8; `-` reads standard input. One line for each way it
    can fail (missing, a directory, unreadable, not UTF-8)."""
    if str(path) != "-":
        data = read_bytes(path, f"{source} {path}")
    else:
        try:
            data = sys.stdin.buffer.read()
        except OSError as exc:
            raise InputError(f"{source} {path} cannot be read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None


def read_json_file(path: Path, source: str) -> Any:
    """The JSON document in a file (see `read_text_file` and `parse_json`)."""
    return parse_json(read_text_file(path, source), f"{source} {path}")
