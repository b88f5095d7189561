"""GitHub's workflow commands and step files, as pure helpers: `::name key=value::message` escaped
as the runner reads it, the `::error::` annotation, and the `name<<DELIMITER` entries of
$GITHUB_OUTPUT. Nothing here holds state or knows a command."""

from __future__ import annotations

from dbt_cloud.redact import redact

OUTPUT_ENV_VAR = "GITHUB_OUTPUT"
SUMMARY_ENV_VAR = "GITHUB_STEP_SUMMARY"
#: The title of our annotations, so they read as ours among the others of a workflow run.
ANNOTATION_TITLE = "dbt-cloud"


# --- workflow commands ---------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: the runner reads up to the end of the line, and unescapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, which also ends at `,` and must not hold `:`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str = "", **properties: str) -> str:
    """`::name key=value,...::message`, escaped as the runner expects."""
    given = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def error_annotation(message: str) -> str:
    """The `::error::` line for an error the CLI reports (already redacted by the caller)."""
    return workflow_command("error", message, title=ANNOTATION_TITLE)


# --- the files of a step -------------------------------------------------------------------------


def output_entry(name: str, value: str) -> str:
    """One step output in $GITHUB_OUTPUT's `name<<DELIMITER` form, which takes any value (several
    lines included); the delimiter is random, so no value can end the entry early."""
    import secrets

    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    if delimiter in value or delimiter in name:  # pragma: no cover - 128 random bits
        raise ValueError("the output delimiter occurs in the value")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def append_to(path: str, text: str) -> None:
    """A plain append, as GitHub reads these files after the step: other writers of the same
    step (earlier commands of a `run:` script) keep what they wrote."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(redact(text))
