"""The typed client: every command of the command line as a Python call that answers with models.

One shape, read off the command line: `dbt-cloud <group> <command> --some-option X` is
`cloud.<group>.<command>(some_option=X)`, dashes becoming underscores:

    cloud = DbtCloud()                                    # token, account, host: env or profile
    run = cloud.job.run(job_id=42, cause="deploy")        # a Run
    run = cloud.wait(run, timeout=3600)                   # the same run, finished
    for job in cloud.job.list(project_id=7):              # every page, fetched as you go
        ...
    cloud.execute(RunGet(account_id=1, run_id=9))         # any command model, built yourself

The groups and their commands are not listed here: they are read from the click tree (the
`ModelCommand`s of each group), so whatever the command line has, the client has. Keyword arguments
are the command model's fields, validated before anything is sent; ids the settings hold (account,
project, environment, job) fill fields left out, as the command line's profile does.

`AsyncDbtCloud` is the same for asyncio, on `AsyncDbtCloudClient`: the same models, the same retry
policy, the same answers.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from dbt_cloud.command import Api, CommandModel, field_cli
from dbt_cloud.config import Settings
from dbt_cloud.errors import ConfigError, InputError, InvalidResponseError
from dbt_cloud.events import EventHandler, PageFetched
from dbt_cloud.resources import Run, model_for, parse_answer, parse_data

if TYPE_CHECKING:
    import httpx
    from pydantic import ValidationError

    from dbt_cloud.async_client import AsyncDbtCloudClient
    from dbt_cloud.client import ApiResponse, DbtCloudClient
    from dbt_cloud.command import ModelCommand
    from dbt_cloud.commands.base import UpdateFromCurrent

DEFAULT_PAGE_SIZE = 100


# --- what the sync and async clients share --------------------------------------------------------


@functools.cache
def group_commands(group: str) -> dict[str, ModelCommand]:
    """The commands of a command-line group that send a command model, by their Python name.

    A composite command may take the place of a plain one on the command line (`run get-artifact`
    with several paths at once); the plain one then stays in its module's own group
    (`dbt_cloud.commands.<group>:group`), and the typed client takes it from there.
    """
    import importlib
    import importlib.util

    import click

    from dbt_cloud.cli import cli, lazy_groups
    from dbt_cloud.command import ModelCommand

    if group not in lazy_groups():
        return {}
    groups = [cli.get_command(click.Context(cli), group)]
    plain_module = f"dbt_cloud.commands.{group.replace('-', '_')}"
    if importlib.util.find_spec(plain_module) is not None:
        groups.append(getattr(importlib.import_module(plain_module), "group", None))
    found: dict[str, ModelCommand] = {}
    for each in groups:
        if isinstance(each, click.Group):
            for name, command in each.commands.items():
                if isinstance(command, ModelCommand):
                    found.setdefault(name.replace("-", "_"), command)
    return found


def group_names(*, with_commands: bool = False) -> list[str]:
    """Python names of the command-line groups: all of them without importing any, or (for `dir`)
    only those that have commands sending a model (not `configure` or `local`)."""
    from dbt_cloud.cli import lazy_groups

    names = sorted(name.replace("-", "_") for name in lazy_groups())
    if with_commands:
        return [name for name in names if group_commands(name.replace("_", "-"))]
    return names


def build_command(model: type[CommandModel], fields: dict[str, Any], settings: Settings) -> CommandModel:
    """A command model from Python keyword arguments, ids left out taken from the settings. Every
    problem is reported at once, by field name."""
    from pydantic import ValidationError

    values = dict(fields)
    for name, info in model.model_fields.items():
        setting = field_cli(info).setting
        if values.get(name) is None and setting is not None and getattr(settings, setting, None) is not None:
            values[name] = getattr(settings, setting)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InputError(f"{model.__name__}: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error.get("loc", ())) or "input"
        if error.get("type") == "missing":
            problems.append(f"missing {where}")
        elif error.get("type") == "extra_forbidden":
            problems.append(f"unknown argument {where}")
        else:
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(problems)


def _update_action(command: ModelCommand) -> UpdateFromCurrent | None:
    from dbt_cloud.commands.base import UpdateFromCurrent

    return command.action if isinstance(command.action, UpdateFromCurrent) else None


def _paged(command: CommandModel) -> bool:
    fields = type(command).model_fields
    return command.operation.paginated and "offset" in fields and "limit" in fields


def _raw(command: CommandModel) -> bool:
    """The answer is a file (an artifact), not JSON in an envelope."""
    return command.operation.api is Api.ADMIN and not command.operation.envelope


class _PageWalk:
    """Where the next page starts: steps by what the server served (it may cap pages below the
    size asked for), stops at the total, or at a short page when there is no total."""

    def __init__(self, command: CommandModel) -> None:
        self.offset = int(getattr(command, "offset", None) or 0)
        self.size = min(int(getattr(command, "limit", None) or DEFAULT_PAGE_SIZE), DEFAULT_PAGE_SIZE)
        self.total: int | None = None
        self._seen: set[Any] = set()
        self._done = False

    def query(self, command: CommandModel) -> CommandModel | None:
        if self._done:
            return None
        return command.model_copy(update={"offset": self.offset, "limit": self.size})

    def take(self, answer: ApiResponse) -> tuple[PageFetched, list[Any]]:
        """The page's items not seen before, and the event that reports it."""
        items = answer.data
        if not isinstance(items, list):
            raise InvalidResponseError("The list answer has no list in 'data'; it cannot be paged")
        event = PageFetched(offset=self.offset, count=len(items), total_count=answer.total_count)
        self.total = answer.total_count
        self.offset += len(items)
        if self.total is not None:
            self._done = not items or self.offset >= self.total
        else:
            self._done = len(items) < self.size
        fresh = []
        for item in items:
            key = item.get("id") if isinstance(item, dict) else None
            if key is not None:
                if key in self._seen:
                    continue  # an item moved across a page boundary while we paged
                self._seen.add(key)
            fresh.append(item)
        return event, fresh


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
        walk = _PageWalk(self.command)
        model = model_for(self.command.operation)
        connection = self._cloud.connection
        while (query := walk.query(self.command)) is not None:
            event, items = walk.take(connection.send(query))
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
        walk = _PageWalk(self.command)
        model = model_for(self.command.operation)
        connection = self._cloud.connection
        while (query := walk.query(self.command)) is not None:
            event, items = walk.take(await connection.send(query))
            self.total_count = walk.total
            connection.emit(event)
            yield parse_data(model, items)


class CommandGroup:
    """One command-line group as an object: `cloud.run` has `list`, `get`, `cancel`, ..."""

    def __init__(self, name: str, call: Callable[[ModelCommand, dict[str, Any]], Any]) -> None:
        self._name = name
        self._call = call

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        command = group_commands(self._name.replace("_", "-")).get(name)
        if command is None:
            known = ", ".join(sorted(group_commands(self._name.replace("_", "-")))) or "none"
            raise AttributeError(f"'{self._name}' has no command {name!r} (it has: {known})")
        call = self._call

        def method(**fields: Any) -> Any:
            return call(command, fields)

        method.__name__ = name
        method.__doc__ = command.help
        return method

    def __dir__(self) -> list[str]:
        return sorted(group_commands(self._name.replace("_", "-")))

    def __repr__(self) -> str:
        return f"<commands of '{self._name}': {', '.join(dir(self))}>"


class _Groups:
    """`cloud.<group>`: made on first use, then kept (safe from several threads)."""

    def __init__(self, call: Callable[[ModelCommand, dict[str, Any]], Any]) -> None:
        self._call = call
        self._made: dict[str, CommandGroup] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> CommandGroup | None:
        if name not in group_names() or not group_commands(name.replace("_", "-")):
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
) -> Settings:
    given: dict[str, Any] = {"api_token": token, "account_id": account_id, "dbt_cloud_host": host, **ids}
    return Settings.resolve(given, profile=profile, timeout=timeout, max_retries=max_retries)


def _waiting_function() -> Callable[..., Any]:
    """The seam to the run waiter (`dbt_cloud.waiter.wait_for_run`, the loop behind
    `job run --wait`): `wait_for_run(client, account_id, run_id, *, timeout=...)` polls the run
    until it finishes, reporting `RunStatusChanged` and `RunFinished` through the client's events,
    and returns an object whose `run` is the finished run's JSON."""
    import importlib

    try:
        waiter = importlib.import_module("dbt_cloud.waiter")
    except ModuleNotFoundError:
        raise NotImplementedError("Waiting for runs needs dbt_cloud.waiter, which this version lacks") from None
    wait_for_run: Callable[..., Any] = waiter.wait_for_run
    return wait_for_run


def _account_of(run: Run | int, settings: Settings) -> tuple[int, int]:
    run_id = run if isinstance(run, int) else run.id
    account_id = settings.account_id if isinstance(run, int) else (run.account_id or settings.account_id)
    if run_id is None:
        raise InputError("The run to wait for has no id")
    if account_id is None:
        raise ConfigError("No account id to wait for the run in", hint="pass account_id to the client")
    return account_id, run_id


# --- the sync client ------------------------------------------------------------------------------


class DbtCloud:
    """The typed client. Settings not given come from the environment variables and the profile
    file, as on the command line (`DBT_CLOUD_API_TOKEN`, `DBT_CLOUD_ACCOUNT_ID`, `DBT_CLOUD_HOST`,
    ...). Safe to use from several threads at once; `close()` it, or use `with`.

    `on_event` receives every event (`dbt_cloud.events`) of every call. `transport` is httpx's, for
    tests (`httpx.MockTransport`).
    """

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
        on_event: EventHandler | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from dbt_cloud.client import DbtCloudClient

        ids = {"project_id": project_id, "environment_id": environment_id, "job_id": job_id}
        self.settings = _settings(token, account_id, host, profile, timeout, max_retries, ids)
        #: The low-level client: send command models, get the answers as JSON.
        self.connection: DbtCloudClient = DbtCloudClient(self.settings, on_event=on_event, transport=transport)
        self._groups = _Groups(self._call)

    def __getattr__(self, name: str) -> CommandGroup:
        group = self._groups.get(name) if not name.startswith("_") else None
        if group is None:
            raise AttributeError(
                f"DbtCloud has no command group {name!r} (it has: {', '.join(group_names(with_commands=True))})"
            )
        return group

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *group_names(with_commands=True)})

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> DbtCloud:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def build(self, model: type[CommandModel], /, **fields: Any) -> CommandModel:
        """A command model with the ids this client's settings hold filled in."""
        return build_command(model, fields, self.settings)

    def execute(self, command: CommandModel) -> Any:
        """Send a command model exactly as it is; the answer as models (see `dbt_cloud.resources`),
        or bytes for an artifact. A list answers with its one page: `paginate` walks them all."""
        if _raw(command):
            return self.connection.read_raw(command.request())
        return parse_answer(command.operation, self.connection.send(command).document)

    def paginate(self, command: CommandModel) -> Pager:
        """Every item of a list command, across its pages."""
        return Pager(self, command)

    def wait(self, run: Run | int, *, timeout: float | None = None) -> Run:
        """Wait for a run to finish (success, error or cancelled) and return it finished. Raises
        `RunTimeoutError` after `timeout` seconds; the run goes on. Progress comes as
        `RunStatusChanged` and `RunFinished` events."""
        account_id, run_id = _account_of(run, self.settings)
        finished = _waiting_function()(self.connection, account_id, run_id, timeout=timeout)
        return parse_data(Run, finished.run)  # type: ignore[no-any-return]

    def _call(self, command: ModelCommand, fields: dict[str, Any]) -> Any:
        model = build_command(command.model, fields, self.settings)
        if _paged(model):
            return Pager(self, model)
        update = _update_action(command)
        if update is not None:
            current = self.connection.send(update.current_query(model)).data
            answer = self.connection.send_request(update.merged_request(model, current))
            return parse_answer(model.operation, answer.document)
        return self.execute(model)


# --- the async client -----------------------------------------------------------------------------


class AsyncDbtCloud:
    """`DbtCloud` for asyncio: `await cloud.job.run(job_id=42)`, `async for run in cloud.run.list()`.
    Lists answer with an `AsyncPager` right away (no await); everything else is awaited."""

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
        on_event: EventHandler | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        from dbt_cloud.async_client import AsyncDbtCloudClient

        ids = {"project_id": project_id, "environment_id": environment_id, "job_id": job_id}
        self.settings = _settings(token, account_id, host, profile, timeout, max_retries, ids)
        self._on_event = on_event
        self.connection: AsyncDbtCloudClient = AsyncDbtCloudClient(
            self.settings, on_event=on_event, transport=transport
        )
        self._groups = _Groups(self._call)

    def __getattr__(self, name: str) -> CommandGroup:
        group = self._groups.get(name) if not name.startswith("_") else None
        if group is None:
            raise AttributeError(
                f"AsyncDbtCloud has no command group {name!r} (it has: {', '.join(group_names(with_commands=True))})"
            )
        return group

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *group_names(with_commands=True)})

    async def aclose(self) -> None:
        await self.connection.aclose()

    async def __aenter__(self) -> AsyncDbtCloud:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def build(self, model: type[CommandModel], /, **fields: Any) -> CommandModel:
        return build_command(model, fields, self.settings)

    async def execute(self, command: CommandModel) -> Any:
        if _raw(command):
            return await self.connection.read_raw(command.request())
        return parse_answer(command.operation, (await self.connection.send(command)).document)

    def paginate(self, command: CommandModel) -> AsyncPager:
        return AsyncPager(self, command)

    async def wait(self, run: Run | int, *, timeout: float | None = None) -> Run:
        """`DbtCloud.wait`, in a worker thread: the waiter's loop is the sync one, so there is one
        loop to trust; the thread's client has these settings and event handler."""
        import asyncio

        from dbt_cloud.client import DbtCloudClient

        account_id, run_id = _account_of(run, self.settings)
        wait_for_run = _waiting_function()

        def wait_in_thread() -> Any:
            with DbtCloudClient(self.settings, on_event=self._on_event) as client:
                return wait_for_run(client, account_id, run_id, timeout=timeout)

        finished = await asyncio.to_thread(wait_in_thread)
        return parse_data(Run, finished.run)  # type: ignore[no-any-return]

    def _call(self, command: ModelCommand, fields: dict[str, Any]) -> Any:
        model = build_command(command.model, fields, self.settings)
        if _paged(model):
            return AsyncPager(self, model)
        return self._send(command, model)

    async def _send(self, command: ModelCommand, model: CommandModel) -> Any:
        update = _update_action(command)
        if update is not None:
            current = (await self.connection.send(update.current_query(model))).data
            answer = await self.connection.send_request(update.merged_request(model, current))
            return parse_answer(model.operation, answer.document)
        return await self.execute(model)


__all__ = ["AsyncDbtCloud", "AsyncPager", "CommandGroup", "DbtCloud", "Pager"]
