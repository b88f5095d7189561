"""How stored resources are answered: the field names and shapes of the official specs and of
the real service's recorded answers.

Each kind starts from a document with every field the spec lists (unset ones null, as the service
answers them) and the stored document on top, so clients that read a field we never set get null
rather than a KeyError. Related objects (`project`, `environment`, `job`, ...) come only when
`include_related` asks for them, as on dbt Cloud.
"""

from __future__ import annotations

from typing import Any

from dbt_cloud.local.clock import clock_duration, from_api, humanize_ago, humanize_duration, now
from dbt_cloud.local.status import RunStatus

#: Fields that hold related objects: the specs list some as required, the service sends them only
#: when `include_related` asks (shared/reference/README.md).
RELATED = frozenset(
    {
        "account",
        "project",
        "environment",
        "environments",
        "job",
        "connection",
        "repository",
        "credentials",
        "trigger",
        "run_steps",
        "docs_job",
        "freshness_job",
        "group_permissions",
        "deploy_key",
        "git_provider",
        "gitlab",
        "user",
        "most_recent_run",
        "most_recent_completed_run",
    }
)
IN_PROGRESS = (RunStatus.QUEUED, RunStatus.STARTING, RunStatus.RUNNING)
COMPLETE = (RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.CANCELLED)

#: Colours dbt Cloud gives step statuses in its UI (the step answer carries them).
STEP_COLOURS = {1: "gray", 2: "gray", 3: "blue", 10: "green", 20: "red", 30: "orange"}

DEFAULTS: dict[str, dict[str, Any]] = {
    "account": {
        "name": None,
        "state": 1,
        "plan": "developer",
        "run_slots": 1,
        "developer_seats": 1,
        "it_seats": 0,
        "explorer_seats": 0,
        "analyst_seats": 0,
        "read_only_seats": 0,
        "locked": False,
        "lock_reason": None,
        "lock_cause": None,
        "unlocked_at": None,
        "pending_cancel": False,
        "billing_email_address": None,
        "pod_memory_request_mebibytes": None,
        "develop_pod_memory_request_mebibytes": None,
        "run_duration_limit_seconds": 86400,
        "queue_limit": 50,
        "enterprise_login_slug": None,
        "business_critical": False,
        "starter_repo_url": None,
        "git_auth_level": "personal",
        "identifier": None,
        "trial_end_date": None,
        "static_subdomain": None,
        "vanity_subdomain": None,
        "run_locked_until": None,
        "docs_job_id": None,
        "freshness_job_id": None,
        "copilot_locked_until": None,
        "agent_credit_locked": False,
        "account_migration_events": [],
        "groups": [],
    },
    "project": {
        "name": None,
        "description": None,
        "connection_id": None,
        "repository_id": None,
        "semantic_layer_config_id": None,
        "state": 1,
        "dbt_project_subdirectory": None,
        "docs_job_id": None,
        "freshness_job_id": None,
        "type": 0,
        "fusion_readiness": None,
        "default_version": None,
    },
    "environment": {
        "credentials_id": None,
        "connection_id": None,
        "extended_attributes_id": None,
        "name": None,
        "dbt_version": "1.11.0-latest",
        "raw_dbt_version": "1.11.0-latest",
        "type": "deployment",
        "use_custom_branch": False,
        "custom_branch": None,
        "supports_docs": True,
        "deployment_type": None,
        "is_deferrable": False,
        "enable_model_query_history": False,
        "enable_dbt_state": False,
        "state": 1,
        "primary_profile_id": None,
        "custom_environment_variables": [],
        "jobs": None,
        "credentials": None,
        "fusion_readiness": None,
    },
    "repository": {
        "full_name": None,
        "remote_url": None,
        "remote_backend": "manual_config",
        "git_clone_strategy": "deploy_key",
        "deploy_key_id": None,
        "repository_credentials_id": None,
        "github_installation_id": None,
        "github_webhook_id": None,
        "state": 1,
        "private_link_endpoint_id": None,
        "git_provider_id": None,
        "github_repo": None,
        "name": None,
        "web_url": None,
        "deploy_key": None,
        "git_provider": None,
        "gitlab": None,
        "is_private_link_enabled": False,
        "pull_request_url_template": None,
    },
    "connection": {
        "name": None,
        # dbt Cloud's type for connections made through an adapter (DuckDB here).
        "type": "adapter",
        "adapter_version": None,
        "created_by_id": None,
        "created_by_service_token_id": None,
        "state": 1,
        "private_link_endpoint_id": None,
        "oauth_redirect_uri": None,
        "oauth_configuration_id": None,
        "details": {},
    },
    "job": {
        "name": None,
        "dbt_version": None,
        "deferring_environment_id": None,
        "deferring_job_definition_id": None,
        "description": "",
        "execute_steps": [],
        "execution": {"timeout_seconds": 0},
        "generate_docs": False,
        "is_deferrable": False,
        "job_type": "other",
        "lifecycle_webhooks": False,
        "lifecycle_webhooks_url": None,
        "raw_dbt_version": None,
        "run_compare_changes": False,
        "compare_changes_flags": "--select state:modified",
        "run_failure_count": 0,
        "run_generate_sources": False,
        "run_lint": False,
        "errors_on_lint_failure": True,
        "cost_optimization_features": [],
        "settings": {"threads": 4, "target_name": "default"},
        "state": 1,
        "triggers_on_draft_pr": False,
        "triggers": {
            "github_webhook": False,
            "git_provider_webhook": False,
            "schedule": False,
            "on_merge": False,
        },
        "job_completion_trigger_condition": None,
        "fusion_readiness": None,
        "schedule": {"cron": "0 * * * *", "date": {"type": "every_day"}, "time": {"type": "every_hour", "interval": 1}},
        "generate_sources": False,
        "cron_humanized": "Every hour",
        "next_run": None,
        "next_run_humanized": None,
    },
    "user": {
        "email": None,
        "first_name": "",
        "last_name": "",
        "fullname": "",
        "email_verified": True,
        "is_active": True,
        "is_staff": False,
        "scim_managed": False,
        "last_login": None,
        "apitoken_last_used": None,
        "sso_only_user": False,
        "email_connected": True,
        "enterprise_connected": False,
        "enterprise_authentication_method": None,
        "azure_active_directory_connected": False,
        "azure_active_directory_token_retrieval_failure": False,
        "azure_active_directory_username": None,
        "github_connected": False,
        "github_token_retrieval_failure": False,
        "github_username": None,
        "gitlab_connected": False,
        "gitlab_token_retrieval_failure": False,
        "gitlab_username": None,
        "auth_provider_infos": {},
        "licenses": {},
        "permissions": [],
    },
    "environment_variable": {"name": None, "type": "project", "display_value": None, "state": 1},
}


def document(kind: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored resource with every field of its kind present."""
    return {"id": stored.get("id"), **DEFAULTS.get(kind, {}), **stored}


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    answer = document("job", job)
    answer["generate_sources"] = answer.get("run_generate_sources", False)
    return answer


def run_view(run: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A run as the API answers it (without related objects; the caller adds those it was asked for)."""
    status = RunStatus(run["status"])
    created = from_api(run["created_at"])
    started = from_api(run["started_at"])
    finished = from_api(run["finished_at"])
    dequeued = from_api(run["dequeued_at"])
    total = _seconds(created, finished)
    queued = _seconds(created, dequeued or started or finished)
    running = _seconds(started, finished)
    extra = run["data"]
    return {
        "id": run["id"],
        "trigger_id": run["trigger_id"],
        "account_id": run["account_id"],
        "environment_id": run["environment_id"],
        "project_id": run["project_id"],
        "job_definition_id": run["job_id"],
        "job_id": run["job_id"],
        "status": status.value,
        "status_humanized": status.humanized,
        "dbt_version": extra.get("dbt_version"),
        "git_branch": extra.get("git_branch"),
        "git_sha": extra.get("git_sha"),
        "status_message": run["status_message"],
        "owner_thread_id": None,
        "executed_by_thread_id": f"local-run-{run['id']}" if run["started_at"] else None,
        "deferring_run_id": None,
        "artifacts_saved": run["artifacts_saved"],
        "artifact_s3_path": f"runs/{run['id']}/target" if run["artifacts_saved"] else None,
        "has_docs_generated": run["has_docs_generated"],
        "has_sources_generated": run["has_sources_generated"],
        "notifications_sent": status in COMPLETE,
        "blocked_by": [],
        "created_at": run["created_at"],
        "updated_at": run["updated_at"],
        "dequeued_at": run["dequeued_at"],
        "started_at": run["started_at"],
        "finished_at": run["finished_at"],
        "last_checked_at": run["last_heartbeat_at"],
        "last_heartbeat_at": run["last_heartbeat_at"],
        "should_start_at": None,
        "trigger": None,
        "job": None,
        "environment": None,
        "run_steps": [],
        "deprecation": None,
        "in_progress": status in IN_PROGRESS,
        "is_complete": status in COMPLETE,
        "is_success": status is RunStatus.SUCCESS,
        "is_error": status is RunStatus.ERROR,
        "is_cancelled": status is RunStatus.CANCELLED,
        "is_running": status is RunStatus.RUNNING,
        "duration": clock_duration(total),
        "queued_duration": clock_duration(queued),
        "run_duration": clock_duration(running),
        "duration_humanized": humanize_duration(total),
        "queued_duration_humanized": humanize_duration(queued),
        "run_duration_humanized": humanize_duration(running),
        "created_at_humanized": humanize_ago(created),
        "finished_at_humanized": humanize_ago(finished),
        "retrying_run_id": extra.get("retrying_run_id"),
        "can_retry": status is RunStatus.ERROR,
        "retry_not_supported_reason": None if status is RunStatus.ERROR else "RETRY_NOT_FAILED_RUN",
        # The run's page, at the path dbt Cloud's own run pages have; the runner serves it (web_page.py).
        "href": f"{base_url}/deploy/{run['account_id']}/projects/{run['project_id']}/runs/{run['id']}/",
        "used_repo_cache": None,
        "audit": None,
    }


def trigger_view(run: dict[str, Any]) -> dict[str, Any]:
    trigger = dict(run["data"].get("trigger", {}))
    return {
        "id": run["trigger_id"],
        "account_id": run["account_id"],
        "job_definition_id": run["job_id"],
        "created_at": run["created_at"],
        "updated_at": run["created_at"],
        **trigger,
    }


def step_view(step: dict[str, Any], logs: str, debug_logs: str) -> dict[str, Any]:
    status = RunStatus(step["status"])
    started = from_api(step["started_at"])
    finished = from_api(step["finished_at"])
    seconds = _seconds(started, finished)
    return {
        "id": step["id"],
        "run_id": step["run_id"],
        "account_id": step["account_id"],
        "index": step["idx"],
        "status": status.value,
        "name": step["name"],
        "logs": logs,
        "debug_logs": debug_logs,
        "log_path": step["log_path"],
        "debug_log_path": step["debug_log_path"],
        "truncated_debug_logs": debug_logs[-10_000:],
        "started_at": step["started_at"],
        "finished_at": step["finished_at"],
        "status_color": STEP_COLOURS[status.value],
        "status_humanized": status.humanized,
        "duration": clock_duration(seconds),
        "duration_humanized": humanize_duration(seconds),
        "created_at": step["created_at"],
        "updated_at": step["updated_at"],
        "run_step_command": {"run_step_id": step["id"], "dbt_command": step["command"]},
        "run_step_invocation": {"run_step_id": step["id"], "run_id": step["run_id"]},
    }


def _seconds(start: Any, end: Any) -> float | None:
    if start is None:
        return None
    if end is None:
        end = now()
    return float((end - start).total_seconds())
