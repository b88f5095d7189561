"""What this dbt-cloud is: the line `dbt-cloud --version` prints.

The versions of Python and httpx are in it because a bug report needs them. httpx's is read from
its installed metadata, not by importing it: `--version` must start as fast as `--help`.
"""

from __future__ import annotations

from dbt_cloud import __version__

PROG_NAME = "dbt-cloud"


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, or "not installed"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def version_line() -> str:
    """`dbt-cloud 0.1.0 (Python 3.11.7, httpx 0.28.1)`."""
    import platform

    return f"{PROG_NAME} {__version__} (Python {platform.python_version()}, httpx {installed_version('httpx')})"
