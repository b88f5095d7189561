"""The typed client: every command of the command line as a Python call that answers with models.

One shape, read off the command line: `dbt-cloud <group> <command> --some-option X` is
`cloud.<group>.<command>(some_option=X)`, dashes becoming underscores:

    cloud = DbtCloud()                                    # token, account, host: env or profile
    run = cloud.job.run(job_id=42, cause="deploy")        # a Run
    run = cloud.wait(run, timeout=3600)                   # the same run, finished
    for job in cloud.job.list(project_id=7):              # every page, fetched as you go
        ...
    cloud.execute(RunGet(account_id=1, run_id=9))         # any command model, built yourself

The groups and their commands are not listed here: they are read from the operation registry
(dbt_cloud.api.registry), the same table the command line builds its groups from, so whatever the
command line sends, the client sends; nothing of click is loaded. Keyword arguments
are the command model's fields, validated before anything is sent; ids the settings hold (account,
project, environment, job) fill fields left out, as the command line's profile does.

`AsyncDbtCloud` is the same for asyncio, on `AsyncDbtCloudClient`: the same models, the same retry
policy, the same answers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dbt_cloud.api.operation import Api, CommandModel, Request, Verb, describe_argument, fill_from_settings, validate
from dbt_cloud.api.resources import Run, model_for, parse_answer, parse_data
from dbt_cloud.config import Settings
from dbt_cloud.errors import ConfigError, InputError
from dbt_cloud.events import EventHandler
from dbt_cloud.http.lifecycle import AsyncClosing, Closing

if TYPE_CHECKING:
    import httpx

    from dbt_cloud.http.async_client import AsyncDbtCloudClient
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.pages import PageWalk
    from dbt_cloud.services.waiter import PollPolicy

# --- what the sync and async clients share --------------------------------------------------------


def group_verbs(group: str) -> dict[str, Verb]:
    """The verbs of a group of the registry, by their Python name (`get_artifact`)."""
    from dbt_cloud.api.registry import verbs

    return {verb.python_name: verb for verb in verbs(group.replace("_", "-")).values()}


def group_names() -> list[str]:
    """Python names of the groups of the registry, without importing any."""
    from dbt_cloud.api.registry import group_names as registry_groups

    return [name.replace("-", "_") for name in registry_groups()]


def build_command(model: type[CommandModel], fields: dict[str, Any], settings: Settings) -> CommandModel:
    """A command model from Python keyword arguments, ids left out taken from the settings. Every
    problem is reported at once, by argument name."""
    values = fill_from_settings(model, fields, lambda name: getattr(settings, name, None))
    return validate(model, values, describe_argument, prefix=f"{model.__name__}: ")


def _getter(verb: Verb) -> type[CommandModel] | None:
    from dbt_cloud.api.registry import model_named

    return None if verb.update_from is None else model_named(verb.update_from)


def _paged(command: CommandModel) -> bool:
    fields = type(command).model_fields
    return command.operation.paginated and "offset" in fields and "limit" in fields


def _raw(command: CommandModel) -> bool:
    """The answer is a file (an artifact), not JSON in an envelope."""
    return command.operation.api is Api.ADMIN and not command.operation.envelope


def _raw_request(command: CommandModel) -> Request:
    """The request of a command that answers with a file; anything else is refused plainly."""
    if not _raw(command):
        raise InputError(f"{type(command).__name__} answers with JSON, not a file: send it with execute()")
    return command.request()


def _page_query(command: CommandModel, walk: PageWalk) -> CommandModel:
    return command.model_copy(update={"offset": walk.offset, "limit": walk.size})


def _start(command: CommandModel) -> PageWalk:
    from dbt_cloud.http.pages import PageWalk

    return PageWalk({"offset": getattr(command, "offset", None), "limit": getattr(command, "limit", None)})


class Pager:
    """The items of a list, every page of it, fetched one page at a time as iteration reaches it.

    `limit` (at most 100) is the page size and `offset` where the walk starts; `total_count` is the
    server's count once the first page is in. `pages()` gives the pages themselves.
    """

    def __init__(self, cloud: DbtCloud, command: CommandModel) -> None:
        self._cloud = cloud
        self.command = command
        self.total_count: int | None = None

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page

    def pages(self) -> Iterator[list[Any]]:
        walk = _start(self.command)
        model = model_for(self.command.operation)
        connection = self._cloud.connection
        while not walk.done:
            event, items = walk.take(connection.send(_page_query(self.command, walk)))
            self.total_count = walk.total
            connection.emit(event)
            yield parse_data(model, items)


class AsyncPager:
    """`Pager` for asyncio: `async for run in cloud.run.list(job_id=42)`."""

    def __init__(self, cloud: AsyncDbtCloud, command: CommandModel) -> None:
        self._cloud = cloud
        self.command = command
        self.total_count: int | None = None

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for page in self.pages():
            for item in page:
                yield item

    async def pages(self) -> AsyncIterator[list[Any]]:
        walk = _start(self.command)
        model = model_for(self.command.operation)
        connection = self._cloud.connection
        while not walk.done:
            event, items = walk.take(await connection.send(_page_query(self.command, walk)))
            self.total_count = walk.total
            connection.emit(event)
            yield parse_data(model, items)


class CommandGroup:
    """One group as an object: `cloud.run` has `list`, `get`, `cancel`, ..."""

    def __init__(self, name: str, call: Callable[[Verb, dict[str, Any]], Any]) -> None:
        self._name = name
        self._call = call

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        verb = group_verbs(self._name).get(name)
        if verb is None:
            known = ", ".join(sorted(group_verbs(self._name))) or "none"
            raise AttributeError(f"'{self._name}' has no command {name!r} (it has: {known})")
        call = self._call

        def method(**fields: Any) -> Any:
            return call(verb, fields)

        method.__name__ = name
        method.__doc__ = verb.model.__doc__
        return method

    def __dir__(self) -> list[str]:
        return sorted(group_verbs(self._name))

    def __repr__(self) -> str:
        return f"<commands of '{self._name}': {', '.join(dir(self))}>"


class _Groups:
    """`cloud.<group>`: made on first use, then kept (safe from several threads)."""

    def __init__(self, call: Callable[[Verb, dict[str, Any]], Any]) -> None:
        self._call = call
        self._made: dict[str, CommandGroup] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> CommandGroup | None:
        if name not in group_names():
            return None
        with self._lock:
            if name not in self._made:
                self._made[name] = CommandGroup(name, self._call)
            return self._made[name]


def _settings(
    token: str | None,
    account_id: int | None,
    host: str | None,
    profile: str | None,
    timeout: float | None,
    max_retries: int | None,
    ids: dict[str, int | None],
    retry_budget: float | None = None,
) -> Settings:
    given: dict[str, Any] = {"api_token": token, "account_id": account_id, "dbt_cloud_host": host, **ids}
    return Settings.resolve(given, profile=profile, timeout=timeout, max_retries=max_retries, retry_budget=retry_budget)


def _account_of(run: Run | int, settings: Settings) -> tuple[int, int]:
    run_id = run if isinstance(run, int) else run.id
    account_id = settings.account_id if isinstance(run, int) else (run.account_id or settings.account_id)
    if run_id is None:
        raise InputError("The run to wait for has no id")
    if account_id is None:
        raise ConfigError("No account id to wait for the run in", hint="pass account_id to the client")
    return account_id, run_id


# --- what both clients are -------------------------------------------------------------------------

Transport = TypeVar("Transport")


class _Cloud(Generic[Transport]):
    """The settings, the groups and `build` of both typed clients; each makes its own connection."""

    def __init__(
        self,
        token: str | None = None,
        account_id: int | None = None,
        host: str | None = None,
        *,
        profile: str | None = None,
        project_id: int | None = None,
        environment_id: int | None = None,
        job_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_budget: float | None = None,
        on_event: EventHandler | None = None,
        transport: Transport | None = None,
    ) -> None:
        ids = {"project_id": project_id, "environment_id": environment_id, "job_id": job_id}
        self.settings = _settings(token, account_id, host, profile, timeout, max_retries, ids, retry_budget)
        self._connect(on_event, transport)
        self._groups = _Groups(self._call)

    def _connect(self, on_event: EventHandler | None, transport: Transport | None) -> None:
        raise NotImplementedError

    def _call(self, verb: Verb, fields: dict[str, Any]) -> Any:
        raise NotImplementedError

    def __getattr__(self, name: str) -> CommandGroup:
        group = self._groups.get(name) if not name.startswith("_") else None
        if group is None:
            raise AttributeError(
                f"{type(self).__name__} has no command group {name!r} (it has: {', '.join(group_names())})"
            )
        return group

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *group_names()})

    def build(self, model: type[CommandModel], /, **fields: Any) -> CommandModel:
        """A command model with the ids this client's settings hold filled in."""
        return build_command(model, fields, self.settings)


# --- the sync client ------------------------------------------------------------------------------


class DbtCloud(_Cloud["httpx.BaseTransport"], Closing):
    """The typed client. Settings not given come from the environment variables and the profile
    file, as on the command line (`DBT_CLOUD_API_TOKEN`, `DBT_CLOUD_ACCOUNT_ID`, `DBT_CLOUD_HOST`,
    ...). Safe to use from several threads at once; `close()` it, or use `with`.

    `on_event` receives every event (`dbt_cloud.events`) of every call. `transport` is httpx's, for
    tests (`httpx.MockTransport`).
    """

    def _connect(self, on_event: EventHandler | None, transport: httpx.BaseTransport | None) -> None:
        from dbt_cloud.http.client import DbtCloudClient

        #: The low-level client: send command models, get the answers as JSON.
        self.connection: DbtCloudClient = DbtCloudClient(self.settings, on_event=on_event, transport=transport)

    def close(self) -> None:
        self.connection.close()

    def execute(self, command: CommandModel) -> Any:
        """Send a command model exactly as it is; the answer as models (see `dbt_cloud.api.resources`),
        or bytes for an artifact. A list answers with its one page: `paginate` walks them all."""
        if _raw(command):
            return self.connection.read_raw(command.request())
        return parse_answer(command.operation, self.connection.send(command).document)

    def download(self, command: CommandModel, destination: str | os.PathLike[str]) -> int:
        """Stream an artifact (`RunGetArtifact`, `JobGetArtifact`, ...) to `destination`, whole or
        not at all, at constant memory: the read path of `run get-artifact`. The bytes written."""
        return self.connection.download(_raw_request(command), Path(destination))

    def paginate(self, command: CommandModel) -> Pager:
        """Every item of a list command, across its pages."""
        return Pager(self, command)

    def wait(self, run: Run | int, *, timeout: float | None = None, outage: float | None = None) -> Run:
        """Wait for a run to finish (success, error or cancelled) and return it finished. Raises
        `RunTimeoutError` after `timeout` seconds; the run goes on. API trouble (5xx, 429, refused
        connections, timeouts) is ridden out for `outage` seconds of consecutive failed polls
        (default: the settings' `wait_outage`, 15 minutes), then the last poll's error is raised.
        Progress comes as `RunStatusChanged` and `RunFinished` events, the trouble as
        `WaitInterrupted` and `WaitResumed`."""
        from dbt_cloud.services.waiter import wait_for_run

        account_id, run_id = _account_of(run, self.settings)
        policy = _poll_policy(self.settings, outage)
        finished = wait_for_run(self.connection, account_id, run_id, poll=policy, timeout=timeout)
        return parse_data(Run, finished.run)  # type: ignore[no-any-return]

    def _call(self, verb: Verb, fields: dict[str, Any]) -> Any:
        model = build_command(verb.model, fields, self.settings)
        if _paged(model):
            return Pager(self, model)
        getter = _getter(verb)
        if getter is not None:
            from dbt_cloud.services.updates import update

            return parse_answer(model.operation, update(self.connection, model, getter).document)
        return self.execute(model)


def _poll_policy(settings: Settings, outage: float | None) -> PollPolicy:
    from dbt_cloud.services.waiter import PollPolicy

    return PollPolicy(outage_seconds=settings.wait_outage if outage is None else float(outage))


# --- the async client -----------------------------------------------------------------------------


class AsyncDbtCloud(_Cloud["httpx.AsyncBaseTransport"], AsyncClosing):
    """`DbtCloud` for asyncio: `await cloud.job.run(job_id=42)`, `async for run in cloud.run.list()`.
    Lists answer with an `AsyncPager` right away (no await); everything else is awaited."""

    def _connect(self, on_event: EventHandler | None, transport: httpx.AsyncBaseTransport | None) -> None:
        from dbt_cloud.http.async_client import AsyncDbtCloudClient

        self.connection: AsyncDbtCloudClient = AsyncDbtCloudClient(
            self.settings, on_event=on_event, transport=transport
        )

    async def aclose(self) -> None:
        await self.connection.aclose()

    async def execute(self, command: CommandModel) -> Any:
        if _raw(command):
            return await self.connection.read_raw(command.request())
        return parse_answer(command.operation, (await self.connection.send(command)).document)

    async def download(self, command: CommandModel, destination: str | os.PathLike[str]) -> int:
        """`DbtCloud.download`, awaited."""
        return await self.connection.download(_raw_request(command), Path(destination))

    def paginate(self, command: CommandModel) -> AsyncPager:
        return AsyncPager(self, command)

    async def wait(self, run: Run | int, *, timeout: float | None = None, outage: float | None = None) -> Run:
        """`DbtCloud.wait` as an async loop on this client's connection (its transport, its event
        handler): nothing blocks the event loop while the run goes on."""
        from dbt_cloud.services.waiter import wait_for_run_async

        account_id, run_id = _account_of(run, self.settings)
        policy = _poll_policy(self.settings, outage)
        finished = await wait_for_run_async(self.connection, account_id, run_id, poll=policy, timeout=timeout)
        return parse_data(Run, finished.run)  # type: ignore[no-any-return]

    def _call(self, verb: Verb, fields: dict[str, Any]) -> Any:
        model = build_command(verb.model, fields, self.settings)
        if _paged(model):
            return AsyncPager(self, model)
        return self._send(verb, model)

    async def _send(self, verb: Verb, model: CommandModel) -> Any:
        getter = _getter(verb)
        if getter is not None:
            from dbt_cloud.services.updates import update_async

            return parse_answer(model.operation, (await update_async(self.connection, model, getter)).document)
        return await self.execute(model)


__all__ = ["AsyncDbtCloud", "AsyncPager", "CommandGroup", "DbtCloud", "Pager"]
