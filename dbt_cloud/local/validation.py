"""Request bodies checked against the spec's request schemas, errors named by field as dbt Cloud
names them (`{"threads_override": ["A valid integer is required."]}`), and stored documents given
the fields their response schema lists.

The specs mark nothing nullable, yet clients send `null` for optional fields and the service takes
it: a typed field accepts null here. Every other type, enum and range is checked, all errors at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.http import MAX_ID
from dbt_cloud.local.spec import resolve

_BASE_TYPE = Draft7Validator.VALIDATORS["type"]
_BASE_ENUM = Draft7Validator.VALIDATORS["enum"]


def _nullable_type(validator: Any, types: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if instance is not None:
        yield from _BASE_TYPE(validator, types, instance, schema)


def _nullable_enum(validator: Any, enums: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if instance is not None:
        yield from _BASE_ENUM(validator, enums, instance, schema)


#: Draft 7 (what OpenAPI 3.0 schemas read as) with null allowed wherever a type or enum is named.
#: (The type keyword is relaxed, not the type checker: `minLength` and the like still see null as
#: no string and leave it alone.)
NullableValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft7Validator, {"type": _nullable_type, "enum": _nullable_enum}
)

#: How dbt Cloud (Django REST framework) words each kind of error.
TYPE_MESSAGES = {
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "string": "Not a valid string.",
    "boolean": "Must be a valid boolean.",
    "array": "Expected a list of items.",
    "object": "Expected a dictionary of items.",
}


def body_errors(body: Any, schema: Any, document: dict[str, Any], *, partial: bool) -> dict[str, list[str]]:
    """Every error of `body` against `schema`, by field; `partial` skips required fields (an update)."""
    errors: dict[str, list[str]] = {}
    for name, message in _huge_integers(body, ""):
        errors.setdefault(name, []).append(message)
    if schema is None:
        return errors
    validator = _validator(document, schema)
    for error in validator.iter_errors(body):
        if error.validator == "required" and partial:
            continue
        if error.validator in ("anyOf", "oneOf") and isinstance(error.instance, dict):
            # A union (a connection's `config` for one of 14 warehouses) says little by its errors:
            # any object is taken, as the service takes the warehouse fields it knows.
            continue
        if error.validator == "minLength" and error.instance == "":
            continue  # an empty string is how clients leave a text field unset; the service takes it
        name, message = _describe(error)
        messages = errors.setdefault(name or "non_field_errors", [])
        if message not in messages:
            messages.append(message)
    return errors


_VALIDATORS: dict[tuple[int, int], Any] = {}


def _validator(document: dict[str, Any], schema: Any) -> Any:
    """One validator per schema (building one resolves the spec's components)."""
    key = (id(document), id(schema))
    if key not in _VALIDATORS:
        root = {**(resolve(document, schema) or {}), "components": document.get("components", {})}
        _VALIDATORS[key] = NullableValidator(root)
    return _VALIDATORS[key]


def _describe(error: ValidationError) -> tuple[str, str]:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        return (f"{path}.{missing}" if path else missing), "This field is required."
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else str(error.validator_value)
        return path, TYPE_MESSAGES.get(expected, f"Expected {expected}.")
    if error.validator == "enum":
        return path, f'"{error.instance}" is not a valid choice.'
    if error.validator in ("maximum", "exclusiveMaximum", "maxLength", "maxItems"):
        return path, f"Ensure this value is less than or equal to {error.validator_value}."
    if error.validator in ("minimum", "exclusiveMinimum", "minLength", "minItems"):
        return path, f"Ensure this value is greater than or equal to {error.validator_value}."
    return path, str(error.message)[:200]


def _huge_integers(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Integers no 64-bit column holds (SQLite would overflow on them), wherever they are."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, bool):
            continue
        if isinstance(node, int) and abs(node) > MAX_ID:
            yield where or "non_field_errors", f"Ensure this value is less than or equal to {MAX_ID}."
        elif isinstance(node, dict):
            stack.extend((child, f"{where}.{key}" if where else str(key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, f"{where}.{index}" if where else str(index)) for index, child in enumerate(node))


def required_fields(schema: Any, document: dict[str, Any]) -> list[str]:
    """The fields a create must send: those the schema requires and the service cannot default.

    The specs list as required many fields the service fills in itself (booleans, objects such as
    `settings`, anything with a default, `account_id` and `state`); those are not asked of clients.
    """
    node = resolve(document, schema) or {}
    properties = node.get("properties") or {}
    needed = []
    for name in node.get("required") or []:
        prop = resolve(document, properties.get(name)) or {}
        if name in ("id", "account_id", "state", "created_at", "updated_at") or "default" in prop:
            continue
        if (
            prop.get("type") in ("boolean", "object", "array")
            or "allOf" in prop
            or "$ref" in (properties.get(name) or {})
        ):
            continue
        needed.append(str(name))
    return needed


def defaults(schema: Any, document: dict[str, Any]) -> dict[str, Any]:
    """The defaults the schema declares for its top-level fields."""
    node = resolve(document, schema) or {}
    found: dict[str, Any] = {}
    for name, prop in (node.get("properties") or {}).items():
        resolved = resolve(document, prop) or {}
        if "default" in resolved:
            found[str(name)] = resolved["default"]
    return found


def example(schema: Any, document: dict[str, Any], depth: int = 0) -> Any:
    """A value the schema accepts, built from its defaults, enums and required fields."""
    node = resolve(document, schema) or {}
    if depth > 8:
        return None
    if "default" in node:
        return node["default"]
    if node.get("enum"):
        return node["enum"][0]
    for key in ("allOf", "anyOf", "oneOf"):
        if node.get(key):
            return example(node[key][0], document, depth + 1)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        properties = node.get("properties") or {}
        return {str(name): example(properties.get(name), document, depth + 1) for name in node.get("required") or []}
    if kind == "string" and node.get("format") in ("date-time", "date"):
        # A timestamp must read as one: the service's own form, or the date alone.
        moment = to_api(now()) or ""
        return moment if node["format"] == "date-time" else moment[:10]
    return {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(str(kind))


def conform(stored: dict[str, Any], schema: Any, document: dict[str, Any], skip: Any = frozenset()) -> dict[str, Any]:
    """A stored document with every field its response schema lists: the schema's default or null
    where unset, a valid example where the schema requires a value (except the related objects in
    `skip`, null unless asked for); ids typed as the schema types them."""
    node = resolve(document, schema) or {}
    properties = node.get("properties") or {}
    required = set(node.get("required") or [])
    answer = {name: value for name, value in stored.items() if not name.startswith("_")}
    for name, prop in properties.items():
        if name in answer:
            resolved = resolve(document, prop) or {}
            if (
                resolved.get("type") == "string"
                and isinstance(answer[name], int)
                and not isinstance(answer[name], bool)
            ):
                answer[name] = str(answer[name])
            continue
        answer[name] = (
            example(prop, document)
            if name in required and name not in skip
            else (resolve(document, prop) or {}).get("default")
        )
    return answer
