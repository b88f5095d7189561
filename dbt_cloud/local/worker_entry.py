"""The function a worker process starts with. It lives apart from `worker` so that the server,
which only names it, never imports dbt-core itself: the forkserver has it preloaded already."""

from __future__ import annotations

from dbt_cloud.local.planning import RunPlan


def main(plan: RunPlan) -> None:
    from dbt_cloud.local.worker import execute_run

    execute_run(plan)
