"""Checking the hosts and URLs a user types (flag, environment variable, profile) before anything
is sent: each mistake is refused with one line that names the setting and what is wrong, never left
for the HTTP layer to trip over ("unexpected ValueError: Invalid IPv6 URL").

Kept free of httpx: settings are resolved before a request is built, and `--help` imports neither.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

from dbt_cloud.errors import ConfigError

#: A host name: labels of letters (any script: httpx encodes IDNA), digits, `-` and `_`.
_HOST_NAME = re.compile(r"[\w-]+(\.[\w-]+)*\.?")


def masked(url: str) -> str:
    """`url` with the password of its user part (`https://user:pw@host`) replaced by ****: how
    a URL is shown anywhere (debug lines, errors, reprs), as the token is."""
    head, sep, rest = url.partition("://")
    where = rest if sep else head
    authority, slash, tail = where.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    hidden = f"{user}:****@{host}{slash}{tail}"
    return f"{head}{sep}{hidden}" if sep else hidden


def without_userinfo(url: str) -> str:
    """`url` without its user part: for a link to show a person."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def shown(text: str) -> str:
    """The value as an error line may quote it: masked, and quoted so control characters show."""
    return repr(masked(text))


def checked_url(text: str, setting: str, *, default_scheme: str | None = None) -> SplitResult:
    """`text` split into its parts once it is a usable http(s) URL; `setting` names where it came
    from ("--dbt-cloud-host", "DBT_CLOUD_HOST", "profile 'prod'") in the error line. A bare name
    is given `default_scheme` when there is one."""
    value = text.strip()

    def refuse(what: str, hint: str | None = None) -> ConfigError:
        return ConfigError(f"Invalid {setting} {shown(text)}: {what}", hint=hint)

    if not value:
        raise refuse("it is empty")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise refuse("it contains spaces or control characters")
    if "://" not in value and default_scheme is not None:
        value = f"{default_scheme}://{value}"
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # an unclosed `[` of an IPv6 address, above all
        raise refuse(f"it is not a valid URL ({str(exc)[:1].lower()}{str(exc)[1:]})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise refuse(f"the scheme must be http or https, not {parts.scheme or 'none'!r}")
    host = parts.hostname
    if not host:
        raise refuse("it has no host name", hint="for example https://cloud.getdbt.com")
    if not _valid_host(host, bracketed="[" in parts.netloc):
        raise refuse(f"{host!r} is not a host name or an IP address")
    try:
        port = parts.port
    except ValueError:
        port_text = parts.netloc.rpartition(":")[2]
        raise refuse(f"the port {port_text!r} is not a number from 1 to 65535") from None
    if port == 0:
        raise refuse("the port 0 is not a number from 1 to 65535")
    if parts.netloc.endswith(":"):
        raise refuse("the port after ':' is missing")
    return parts


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host.split("%", 1)[0]).version == 6
        except ValueError:
            return False
    return _HOST_NAME.fullmatch(host) is not None
