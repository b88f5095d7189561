"""Every output of the test session, searched for the tokens the tests used.

`invoke` records what each CLI call printed; at the end of the session the recorded outputs and
every file the tests wrote (except the profiles, where a token belongs, and the local runner's
database, which keeps only digests) are searched for each token. A hit fails the session and
names where the token leaked.
"""

from __future__ import annotations

import stat
from pathlib import Path

#: Every token a test handed to the CLI, the client or the local runner.
SECRETS: set[str] = set()
#: (where, text) of every output the session produced.
OUTPUTS: list[tuple[str, str]] = []
#: (secret, text) of the outputs that issued a secret: an API that creates a token shows its value
#: once, in the answer to the create. That answer is the one output the value belongs in.
ISSUED: set[tuple[str, str]] = set()


def remember_secret(token: str) -> None:
    if len(token) >= 8:  # shorter values would match by accident
        SECRETS.add(token)


def issued(secret: str, text: str) -> None:
    """`text` is the answer that issued `secret`: not a leak there, a leak anywhere else."""
    ISSUED.add((secret, text))


def record(where: str, text: str) -> None:
    if text:
        OUTPUTS.append((where, text))


def is_profile(path: Path) -> bool:
    """A profile file, written 0600 on purpose: the one place a token may be."""
    try:
        return path.suffix == ".toml" and stat.S_IMODE(path.stat().st_mode) == 0o600
    except OSError:
        return False


def outside_masks(text: str, secret: str) -> str:
    """`text` without its lines that are exactly `::add-mask::SECRET`: GitHub mode's request to the
    Actions runner to hide the token, the one line an output may hold it in (the runner hides the
    line itself too). Anything else on that line, or the token anywhere else, is still a leak."""
    mask = f"::add-mask::{secret}"
    return "\n".join(line for line in text.split("\n") if line.rstrip("\r") != mask)


def find_leaks(
    folder: Path | None,
    secrets: set[str],
    outputs: list[tuple[str, str]],
    issued_in: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> list[str]:
    leaks = [
        f"{where}"
        for where, text in outputs
        for secret in secrets
        if secret in outside_masks(text, secret) and (secret, text) not in issued_in
    ]
    if folder is not None and folder.exists():
        for path in folder.rglob("*"):
            if not path.is_file() or is_profile(path) or path.suffix in (".sqlite3", ".duckdb"):
                continue
            if path.name.endswith(("-wal", "-shm")) or path.stat().st_size > 50_000_000:
                continue
            content = path.read_bytes()
            leaks += [str(path) for secret in secrets if secret.encode() in content]
    return leaks
