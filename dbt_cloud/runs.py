"""Kept for dbt_cloud.local, which reads run statuses from here: the facts now live in dbt_cloud.api.runs."""

from dbt_cloud.api.runs import RunStatus

__all__ = ["RunStatus"]
