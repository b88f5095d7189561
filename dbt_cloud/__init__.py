"""dbt-cloud: a command-line client and Python library for the dbt Cloud APIs.

Only the version is defined eagerly; the public names are imported on first use, so that
`import dbt_cloud` (and with it `dbt-cloud --help`) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbt_cloud.about import __version__

_PUBLIC: dict[str, str] = {
    "DbtCloud": "dbt_cloud.cloud",
    "AsyncDbtCloud": "dbt_cloud.cloud",
    "DbtCloudRunner": "dbt_cloud.runner",
    "RunnerResult": "dbt_cloud.runner",
    "DbtCloudClient": "dbt_cloud.http.client",
    "AsyncDbtCloudClient": "dbt_cloud.http.async_client",
    "ApiResponse": "dbt_cloud.http.client",
    "Settings": "dbt_cloud.config",
    "CommandModel": "dbt_cloud.api.operation",
    "DbtCloudError": "dbt_cloud.errors",
}

__all__ = [
    "ApiResponse",
    "AsyncDbtCloud",
    "AsyncDbtCloudClient",
    "CommandModel",
    "DbtCloud",
    "DbtCloudClient",
    "DbtCloudError",
    "DbtCloudRunner",
    "RunnerResult",
    "Settings",
    "__version__",
]

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel
    from dbt_cloud.cloud import AsyncDbtCloud, DbtCloud
    from dbt_cloud.config import Settings
    from dbt_cloud.errors import DbtCloudError
    from dbt_cloud.http.async_client import AsyncDbtCloudClient
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.response import ApiResponse
    from dbt_cloud.runner import DbtCloudRunner, RunnerResult


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'dbt_cloud' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
