"""The session-wide token search (tests/support/secrets_watch.py) finds what it must find."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.secrets_watch import find_leaks

SECRET = "dbtl_not-really-a-secret-1234"


def test_it_finds_a_token_in_an_output() -> None:
    assert find_leaks(None, {SECRET}, [("stderr of x", f"Error: bad token {SECRET}")]) == ["stderr of x"]


def test_it_finds_a_token_in_a_written_file(tmp_path: Path) -> None:
    (tmp_path / "out.json").write_text(f'{{"token": "{SECRET}"}}')
    assert find_leaks(tmp_path, {SECRET}, []) == [str(tmp_path / "out.json")]


def test_a_0600_profile_may_hold_the_token(tmp_path: Path) -> None:
    profile = tmp_path / "config.toml"
    profile.write_text(f'[default]\\napi_token = "{SECRET}"\\n')
    os.chmod(profile, 0o600)
    assert find_leaks(tmp_path, {SECRET}, [("stdout", "nothing here")]) == []
    os.chmod(profile, 0o644)  # the same file readable by others is a leak
    assert find_leaks(tmp_path, {SECRET}, []) == [str(profile)]


def test_a_github_mask_line_is_the_one_place_an_output_may_hold_the_token() -> None:
    masked = f"::add-mask::{SECRET}\nRun 1: Success\n"
    assert find_leaks(None, {SECRET}, [("stderr of x", masked)]) == []
    # The same output with the token anywhere else still leaks it.
    assert find_leaks(None, {SECRET}, [("stderr of x", masked + f"Error: bad token {SECRET}\n")]) == ["stderr of x"]
    assert find_leaks(None, {SECRET}, [("stderr of x", f"::add-mask::{SECRET} and more\n")]) == ["stderr of x"]
    assert find_leaks(None, {SECRET}, [("stderr of x", f"::warning::{SECRET}\n")]) == ["stderr of x"]


def test_the_answer_that_issued_a_token_is_no_leak_but_any_other_output_is() -> None:
    answer = f'{{"token_string": "{SECRET}"}}'
    issued = {(SECRET, answer)}
    assert find_leaks(None, {SECRET}, [("stdout of create", answer)], issued) == []
    assert find_leaks(None, {SECRET}, [("stdout of create", answer), ("stderr of get", SECRET)], issued) == [
        "stderr of get"
    ]
