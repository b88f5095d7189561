"""What this dbt-cloud is: the line `dbt-cloud --version` prints.

The versions of Python and httpx are in it because a bug report needs them. httpx's is read from
its installed metadata, not by importing it: `--version` must start as fast as `--help`.
"""

from __future__ import annotations

#: The version of the package (the build reads it here; `dbt_cloud.__version__` is this one). Kept
#: here rather than in dbt_cloud/__init__.py so that a module that needs it does not import the
#: package's public names, and with them every layer.
__version__ = "0.1.0"

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
