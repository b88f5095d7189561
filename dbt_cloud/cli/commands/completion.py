"""`dbt-cloud completion [bash|zsh|fish]`: the script that makes Tab complete dbt-cloud's commands,
options and choices.

The script is click's own: on each Tab the shell runs `dbt-cloud` with `_DBT_CLOUD_COMPLETE` set,
and the root group answers from the command index
(dbt_cloud/cli/command_index.py, read by dbt_cloud/cli/help_stubs.py) without importing any
command group, so a Tab costs about what `dbt-cloud --help` costs.
"""

from __future__ import annotations

import os

import click

from dbt_cloud.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "dbt-cloud"
COMPLETE_VAR = "_DBT_CLOUD_COMPLETE"


def guess_shell(login_shell: str | None) -> str | None:
    """The shell named by $SHELL (`/usr/bin/zsh` -> zsh), if it is one we complete for."""
    name = os.path.basename(login_shell or "")
    return name if name in SHELLS else None


def completion_script(shell: str) -> str:
    """The script to source in `shell`, as click writes it for the `dbt-cloud` command."""
    from click.shell_completion import get_completion_class

    from dbt_cloud.cli import cli

    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - SHELLS are click's own
        raise UsageError(f"No completion for {shell}")
    return completer(cli, {}, PROG_NAME, COMPLETE_VAR).source()


@click.command("completion", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", required=False, type=click.Choice(SHELLS))
def completion(shell: str | None) -> None:
    """Print the shell completion script: bash, zsh, fish.

    With no shell named, it is the one $SHELL names. To install it:

    \b
    bash  add to ~/.bashrc:
            eval "$(dbt-cloud completion bash)"
          or write it once where bash-completion finds it:
            dbt-cloud completion bash > ~/.local/share/bash-completion/completions/dbt-cloud
    zsh   add to ~/.zshrc, after compinit:
            eval "$(dbt-cloud completion zsh)"
    fish  write it once:
            dbt-cloud completion fish > ~/.config/fish/completions/dbt-cloud.fish

    Then open a new shell. bash needs version 4.4 or later.
    """
    chosen = shell or guess_shell(os.environ.get("SHELL"))
    if chosen is None:
        found = os.environ.get("SHELL") or "not set"
        raise UsageError(
            f"Cannot tell which shell to complete for ($SHELL is {found})",
            hint="name it: dbt-cloud completion bash|zsh|fish",
        )
    click.echo(completion_script(chosen))
