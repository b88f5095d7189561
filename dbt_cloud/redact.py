"""Keeps secrets out of everything the tool prints.

The token is registered the moment it is resolved; anything written to stderr by the error handler
or the debug log passes through `redact` first. This is a second line of defence: no message is
built from the token in the first place.
"""

from __future__ import annotations

import threading

MASK = "****"
_lock = threading.Lock()
_secrets: set[str] = set()


def register(secret: str | None) -> None:
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
