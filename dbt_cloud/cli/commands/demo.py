"""`dbt-cloud demo data-catalog`: explore a run's catalog.json in the terminal, or print what it says.

The catalog comes from a file, or from a run through the API (a run id, a job's latest successful run
with docs, or the account's), with the manifest.json beside it when there is one. The explorer itself
lives in `dbt_cloud.catalog`; this module finds the files and picks the mode. Its imports are light so
that `dbt-cloud --help` and `dbt-cloud demo --help` stay fast: the catalog code, inquirer and art are
imported when the command runs.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dbt_cloud.cli.commands.base import connection_options, github_reporter, output_option
from dbt_cloud.cli.group_examples import example_epilog
from dbt_cloud.cli.suggest import SuggestingGroup
from dbt_cloud.errors import ConfigError, DbtCloudError, InputError, NotFoundError

if TYPE_CHECKING:
    from dbt_cloud.catalog.loading import Catalog, Manifest
    from dbt_cloud.config import Settings
    from dbt_cloud.events import Event
    from dbt_cloud.http.client import DbtCloudClient

#: dbt-cloud-cli's defaults for the banner.
DEFAULT_TITLE = "Data Catalog"
DEFAULT_TITLE_FONT = "rand-large"
#: art's names for a font picked at random (they are not in art.FONT_NAMES).
RANDOM_FONTS = frozenset(
    f"{prefix}{size}"
    for prefix in ("rnd", "random", "rand")
    for size in ("", "-small", "-medium", "-large", "-xlarge", "-na")
) | {"wizard", "wiz", "magic", "mix"}
#: How many of the latest successful runs to look through for one that generated docs.
RUNS_TO_SCAN = 100
OUTPUT_FORMATS = ("json", "table")


# --- where the catalog comes from ------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSource:
    catalog: Path
    manifest: Path | None
    #: The manifest was named with --manifest: a bad one is an error, not a warning.
    manifest_required: bool = False


def resolve_source(
    *,
    file: Path | None,
    manifest: Path | None,
    run_id: int | None,
    job_id: int | None,
    step: int | None,
    settings: Callable[[], Settings],
    client: Callable[[Settings], DbtCloudClient],
    workdir: Path,
    status: Callable[[str], None],
) -> CatalogSource:
    """Which catalog to explore, first match wins: --file; --run-id; --job-id (its latest successful
    run with docs); catalog.json in the current directory (as dbt-cloud-cli read it); the job of
    DBT_CLOUD_JOB_ID or the profile; the account's latest successful run with docs."""
    from dbt_cloud.catalog.loading import CATALOG_FILE, catalog_path, manifest_beside

    def local(path: Path) -> CatalogSource:
        found = catalog_path(path)
        return CatalogSource(found, manifest or manifest_beside(found), manifest is not None)

    def remote(settings_: Settings, run: int | None, job: int | None) -> CatalogSource:
        account_id = settings_.account_id
        if account_id is None:
            raise ConfigError(
                "No account id to download the catalog from",
                hint="pass --account-id, set DBT_CLOUD_ACCOUNT_ID, or store one with `dbt-cloud configure`",
            )
        with client(settings_) as api:
            if run is None:
                run = latest_run_with_docs(api, account_id, job, status)
            catalog_file, manifest_file = download_artifacts(
                api, account_id, run, step, workdir, status, with_manifest=manifest is None
            )
        if manifest is not None:
            return CatalogSource(catalog_file, manifest, True)
        return CatalogSource(catalog_file, manifest_file)

    if file is not None:
        return local(file)
    if run_id is not None or job_id is not None:
        return remote(settings(), run_id, job_id)
    if Path(CATALOG_FILE).is_file():
        return local(Path(CATALOG_FILE))
    resolved = settings()
    if resolved.job_id is not None:
        return remote(resolved, None, resolved.job_id)
    if resolved.account_id is not None and resolved.api_token:
        return remote(resolved, None, None)
    raise InputError(
        "No catalog to explore: there is no catalog.json here, and no --file, --run-id or --job-id was given",
        hint="see 'dbt-cloud demo data-catalog --help'",
    )


def latest_run_with_docs(
    client: DbtCloudClient, account_id: int, job_id: int | None, status: Callable[[str], None]
) -> int:
    """The newest successful run (of the job, or of the account) that generated docs. A run that
    does not say whether it did (`has_docs_generated` absent) is taken at its word."""
    from dbt_cloud.api.operations.run import RunList, RunStatus

    command = RunList(
        account_id=account_id, job_id=job_id, status=RunStatus.SUCCESS, order_by="-id", limit=RUNS_TO_SCAN
    )
    runs = client.send(command).data
    runs = runs if isinstance(runs, list) else []
    of = f"job {job_id}" if job_id is not None else f"account {account_id}"
    for run in runs:
        if isinstance(run, dict) and isinstance(run.get("id"), int) and run.get("has_docs_generated") is not False:
            status(f"Using run {run['id']}, the latest successful run of {of} that generated docs")
            return int(run["id"])
    if not runs:
        raise DbtCloudError(f"{of.capitalize()} has no successful run to read a catalog from")
    raise DbtCloudError(
        f"None of the {len(runs)} latest successful runs of {of} generated docs (catalog.json)",
        hint="run `dbt docs generate` in a job, or give --run-id or --file",
    )


def download_artifacts(
    client: DbtCloudClient,
    account_id: int,
    run_id: int,
    step: int | None,
    directory: Path,
    status: Callable[[str], None],
    *,
    with_manifest: bool = True,
) -> tuple[Path, Path | None]:
    """catalog.json (required) and manifest.json (welcome) of a run, streamed into `directory`."""
    from dbt_cloud.api.operations.run import RunGetArtifact
    from dbt_cloud.catalog.render import human_bytes

    def fetch(name: str) -> Path:
        target = directory / name
        request = RunGetArtifact(account_id=account_id, run_id=run_id, path=name, step=step).request()
        status(f"Downloading {name} of run {run_id}...")
        written = client.download(request, target)
        status(f"Downloaded {name} ({human_bytes(written)})")
        return target

    try:
        catalog = fetch("catalog.json")
    except NotFoundError as exc:
        raise NotFoundError(
            f"Run {run_id} has no catalog.json",
            status_code=exc.status_code,
            method=exc.method,
            url=exc.url,
            body=exc.body,
            hint="only runs that ran `dbt docs generate` have one; check --run-id, or give --job-id or --file",
        ) from None
    if not with_manifest:
        return catalog, None
    try:
        manifest: Path | None = fetch("manifest.json")
    except NotFoundError:
        status(f"Run {run_id} has no manifest.json: descriptions, tests and lineage will not be shown")
        manifest = None
    return catalog, manifest


# --- the banner ------------------------------------------------------------------------------------------


def check_font(font: str) -> None:
    """Refuse a font art does not know (art would silently use the nearest name)."""
    import difflib

    import art

    name = font.lower()
    if name in RANDOM_FONTS or name in art.FONT_NAMES:
        return
    near = difflib.get_close_matches(name, art.FONT_NAMES, n=3)
    hint = f"did you mean {', '.join(near)}?" if near else "see the font list of the art package"
    raise InputError(f"Unknown --title-font {font!r}", hint=hint)


def banner(title: str, font: str, width: int) -> str:
    """The title drawn in `font`; when that is wider than the terminal, in narrower fonts, and at
    last as plain text, rather than as wrapped garbage."""
    import art

    if not title.strip():
        return ""
    for candidate in (font, "standard", "small"):
        drawn = str(art.text2art(title, font=candidate))
        if drawn.strip() and max(len(line) for line in drawn.splitlines()) <= width:
            return drawn.rstrip("\n") + "\n"
    return f"{title}\n{'=' * len(title)}\n"


# --- the command ----------------------------------------------------------------------------------------


@dataclass
class ManifestLoader:
    """Reads the manifest on first use. A manifest found beside the catalog or downloaded that cannot
    be read is reported on stderr and left out; one named with --manifest must be readable."""

    source: CatalogSource
    warn: Callable[[str], None]
    _loaded: bool = False
    _manifest: Manifest | None = None

    def __call__(self) -> Manifest | None:
        if not self._loaded:
            self._loaded = True
            if self.source.manifest is not None:
                from dbt_cloud.catalog.loading import load_manifest

                _announce_big(self.source.manifest, self.warn)
                try:
                    self._manifest = load_manifest(self.source.manifest)
                except InputError as exc:
                    if self.source.manifest_required:
                        raise
                    self.warn(f"Warning: {exc.one_line()}; going on without it")
        return self._manifest


def _status(message: str) -> None:
    click.echo(message, err=True)


#: Files larger than this get a line on stderr before they are read: it may take a few seconds.
ANNOUNCE_BYTES = 10 * 1024 * 1024


def _announce_big(path: Path, status: Callable[[str], None]) -> None:
    from dbt_cloud.catalog.loading import catalog_path
    from dbt_cloud.catalog.render import human_bytes

    try:
        size = catalog_path(path).stat().st_size
    except OSError:
        return  # the loader says what is wrong with it
    if size > ANNOUNCE_BYTES:
        status(f"Reading {path.name} ({human_bytes(size)})...")


def _settings_factory(ctx: click.Context, values: dict[str, Any]) -> Callable[[], Settings]:
    def resolve() -> Settings:
        from dbt_cloud.cli.context import RootOptions
        from dbt_cloud.config import Settings

        root = ctx.find_object(RootOptions) or RootOptions()
        settings = Settings.resolve(
            {
                "api_token": values["api_token"],
                "dbt_cloud_host": values["dbt_cloud_host"],
                "account_id": values["account_id"],
            },
            profile=root.profile,
            timeout=values["timeout"] if values["timeout"] is not None else root.timeout,
            max_retries=root.max_retries,
            retry_budget=root.retry_budget,
        )
        github_reporter(ctx, settings)  # masks the token in GitHub mode
        return settings

    return resolve


def _client_factory(debug: bool) -> Callable[[Settings], DbtCloudClient]:
    """A client like every command's: with --debug, its requests logged on stderr, token masked."""

    def log(event: Event) -> None:
        from dbt_cloud.events import describe
        from dbt_cloud.redact import redact

        click.echo(redact(f"debug: {describe(event)}"), err=True)

    def make(settings: Settings) -> DbtCloudClient:
        from dbt_cloud.http.client import DbtCloudClient

        return DbtCloudClient(settings, on_event=log if debug else None)

    return make


def _find_node(catalog: Catalog, name: str) -> str:
    import difflib

    found = catalog.find(name)
    if len(found) == 1:
        return found[0].unique_id
    if found:
        listed = ", ".join(entry.unique_id for entry in found[:5])
        raise InputError(f"{name!r} names {len(found)} tables ({listed}); give its unique id")
    names = sorted({entry.name for entry in catalog.entries.values()})
    near = difflib.get_close_matches(name, names, n=3)
    hint = f"did you mean {', '.join(near)}?" if near else "run without --node to list the tables"
    raise InputError(f"No table named {name!r} in {catalog.origin}", hint=hint)


def print_without_prompts(
    catalog: Catalog, manifest: Callable[[], Manifest | None], *, node: str | None, search: str | None, output: str
) -> None:
    """The non-interactive mode: one table (--node), a column search (--search), or a summary of the
    whole catalog, as JSON or as the text the explorer shows."""
    from dbt_cloud.catalog import details, render
    from dbt_cloud.terminal.output import to_json

    width = shutil.get_terminal_size((100, 24)).columns
    text: str
    if node is not None:
        found = details.node_details(catalog, manifest(), _find_node(catalog, node))
        text = to_json(render.node_document(found)) + "\n" if output == "json" else render.node_text(found, width)
    elif search is not None:
        hits = details.search(catalog, manifest(), search)
        document = render.search_document(search, hits)
        text = to_json(document) + "\n" if output == "json" else render.search_text(search, hits, width)
    elif output == "json":
        text = to_json(render.summary_document(catalog, manifest() is not None)) + "\n"
    else:
        text = render.summary_text(catalog, width)
    sys.stdout.write(text)


@click.command("data-catalog", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-f",
    "--file",
    type=click.Path(path_type=Path),
    help="catalog.json to explore, or a dbt target/ directory holding it [default: ./catalog.json if there "
    "is one, else download one].",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    help="manifest.json to join in [default: the one beside the catalog, or the run's].",
)
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="Title drawn in the banner.")
@click.option(
    "--title-font",
    default=DEFAULT_TITLE_FONT,
    show_default=True,
    help="Font of the banner: a font name of the art package (e.g. standard, small, block) or rand-large, ...",
)
@click.option("--run-id", type=click.IntRange(min=1), help="Download the catalog of this run.")
@click.option(
    "--job-id",
    type=click.IntRange(min=1),
    help="Download the catalog of this job's latest successful run with docs. Without --file or --run-id "
    "and no ./catalog.json, DBT_CLOUD_JOB_ID or the profile's job id is used the same way.",
)
@click.option("--step", type=click.IntRange(min=1), help="Step of the run whose artifacts to read [default: the last].")
@click.option(
    "--environment-id",
    type=click.IntRange(min=1),
    help="Browse this environment's applied state through the Discovery API instead of a catalog.json.",
)
@click.option(
    "--account-id",
    type=click.IntRange(min=1),
    envvar="DBT_CLOUD_ACCOUNT_ID",
    show_envvar=True,
    help="Account of the run [may come from the profile].",
)
@click.option("--node", help="Print one table (a name, schema.name or unique id) instead of exploring.")
@click.option(
    "--search", help="Print the columns whose name contains TEXT (or matches a pattern such as *_id) instead."
)
@click.pass_context
def data_catalog(ctx: click.Context, /, **values: Any) -> None:
    """Explore a catalog.json in the terminal, or print what it says.

    \b
    On a terminal: pick a resource type, a schema and a table, and see its columns with their
    types, descriptions and tests, its stats, owner, tags, parents and children; search columns
    by name across all tables. With --node, --search or -o, or when stdin or stdout is not a
    terminal, prints instead: JSON by default, or the explorer's text with -o table.
    """
    from dbt_cloud.cli.context import RootOptions

    root = ctx.find_object(RootOptions) or RootOptions()
    if values["node"] is not None and values["search"] is not None:
        raise click.UsageError("Give --node or --search, not both")
    if values["environment_id"] is not None and any(values[name] for name in ("file", "run_id", "job_id", "manifest")):
        raise click.UsageError("Give --environment-id or --file/--manifest/--run-id/--job-id, not both")
    output_given = ctx.get_parameter_source("output") is click.core.ParameterSource.COMMANDLINE
    prints = values["node"] is not None or values["search"] is not None or output_given
    interactive = not prints and sys.stdin.isatty() and sys.stdout.isatty()
    width = shutil.get_terminal_size((100, 24)).columns
    if interactive:
        check_font(values["title_font"])  # before a long download, not after
        click.echo(banner(values["title"], values["title_font"], width), nl=False)

    import tempfile

    from dbt_cloud.catalog.loading import load_catalog

    with tempfile.TemporaryDirectory(prefix="dbt-cloud-catalog-") as workdir:
        if values["environment_id"] is not None:
            catalog, manifest = from_discovery(
                values["environment_id"], _settings_factory(ctx, values), _client_factory(root.debug)
            )
            explore(catalog, manifest, values, interactive, width)
            return
        source = resolve_source(
            file=values["file"],
            manifest=values["manifest"],
            run_id=values["run_id"],
            job_id=values["job_id"],
            step=values["step"],
            settings=_settings_factory(ctx, values),
            client=_client_factory(root.debug),
            workdir=Path(workdir),
            status=_status,
        )
        _announce_big(source.catalog, _status)
        catalog = load_catalog(source.catalog)
        manifest = ManifestLoader(source, _status)
        if source.manifest_required:
            manifest()  # a manifest named on the command line is checked up front
        explore(catalog, manifest, values, interactive, width)


def from_discovery(
    environment_id: int, settings: Callable[[], Settings], client: Callable[[Settings], DbtCloudClient]
) -> tuple[Catalog, Callable[[], Manifest | None]]:
    """An environment's applied state, read through the Discovery API, as the explorer's model."""
    from dbt_cloud.api.operations.metadata import MetadataQuery
    from dbt_cloud.catalog.discovery import load_environment

    with client(settings()) as api:

        def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            data = api.send(MetadataQuery(query=query, variables=variables)).data
            return data if isinstance(data, dict) else {}

        _status(f"Reading the applied state of environment {environment_id} from the Discovery API...")
        catalog, manifest = load_environment(post, environment_id)
    return catalog, lambda: manifest


def explore(
    catalog: Catalog, manifest: Callable[[], Manifest | None], values: dict[str, Any], interactive: bool, width: int
) -> None:
    if not interactive:
        print_without_prompts(
            catalog, manifest, node=values["node"], search=values["search"], output=values["output"] or "json"
        )
        return
    from dbt_cloud.catalog.explorer import Explorer, InquirerPrompter

    explorer = Explorer(
        catalog=catalog,
        manifest=manifest,
        prompter=InquirerPrompter(),
        write=lambda text: click.echo(text, nl=False),
        width=width,
    )
    explorer.run()


def _extra_options() -> list[click.Parameter]:
    """The connection options every command has (--api-token, --dbt-cloud-host, --timeout), and -o
    limited to the formats this command prints."""
    options: list[click.Parameter] = [opt for opt in connection_options() if opt.name != "output"]
    options.append(
        output_option(
            OUTPUT_FORMATS, "Print instead of exploring, in this format: json, or table (the explorer's text)."
        )
    )
    return options


data_catalog.params.extend(_extra_options())

group = SuggestingGroup(
    "demo",
    epilog=example_epilog("demo"),
    help="Demo applications: the catalog explorer.",
    context_settings={"help_option_names": ["-h", "--help"]},
    commands=[data_catalog],
)
