"""Questions asked in the terminal: a list to pick from, a line of text, a secret, yes or no.

`Prompts` is what a command asks through; `InquirerPrompts` draws the questions with inquirer, and a
test may stand in with scripted answers. Ctrl-C raises KeyboardInterrupt, which the command line
turns into "Aborted." and exit code 130.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

#: Checks an answer: None when it is good, else why not (shown under the question until fixed).
Check = Callable[[str], "str | None"]


class Prompts(Protocol):
    def choose(self, message: str, choices: Sequence[tuple[str, T]], default: T | None = None) -> T:
        """One of `choices` (label, value), starting at `default` (None: at the first)."""
        ...

    def text(self, message: str, default: str = "", check: Check | None = None) -> str:
        """A line of text, `default` already typed in."""
        ...

    def secret(self, message: str, check: Check | None = None) -> str:
        """A line of text that is never shown: each character typed is drawn as `*`."""
        ...

    def confirm(self, message: str, default: bool = False) -> bool: ...


class InquirerPrompts:
    """The questions drawn by inquirer on the terminal (stdout), in colour only where colour is wanted."""

    def __init__(self) -> None:
        import inquirer

        self._inquirer = inquirer
        # One renderer for every question: each new one probes the terminal again.
        self._render = console_render()

    def _ask(self, question: Any) -> Any:
        answers = self._inquirer.prompt([question], render=self._render, raise_keyboard_interrupt=True)
        return answers["answer"]

    def _validator(self, check: Check | None) -> Callable[[dict[str, Any], str], bool]:
        def validate(_answers: dict[str, Any], current: str) -> bool:
            reason = check(current) if check is not None else None
            if reason:
                raise self._inquirer.errors.ValidationError("", reason=reason)
            return True

        return validate

    def choose(self, message: str, choices: Sequence[tuple[str, T]], default: T | None = None) -> T:
        # Indices as values: inquirer compares values, and ours may be anything.
        labelled = [(label, index) for index, (label, _) in enumerate(choices)]
        start = next((index for index, (_, value) in enumerate(choices) if default is not None and value == default), 0)
        question = self._inquirer.List("answer", message=message, choices=labelled, default=start)
        return choices[int(self._ask(question))][1]

    def text(self, message: str, default: str = "", check: Check | None = None) -> str:
        question = self._inquirer.Text("answer", message=message, default=default, validate=self._validator(check))
        return str(self._ask(question))

    def secret(self, message: str, check: Check | None = None) -> str:
        question = self._inquirer.Password("answer", message=message, validate=self._validator(check))
        return str(self._ask(question))

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(self._ask(self._inquirer.Confirm("answer", message=message, default=default)))


def console_render() -> Any:
    """An inquirer renderer that follows our colour rules (dbt_cloud.terminal.style): no colour where none
    is wanted, the cursor still moved.

    blessed, which inquirer draws with, sends no terminal sequence at all under NO_COLOR, not even
    the cursor moves that redraw a question in place: each key pressed would add a line. So the
    terminal is made with NO_COLOR out of sight, and the colours are left out by the theme and by
    the error line instead.
    """
    from inquirer.render.console import ConsoleRender

    from dbt_cloud.terminal.style import colour_wanted

    colour = colour_wanted(sys.stdout)

    class Render(ConsoleRender):  # type: ignore[misc]
        def render_error(self, message: str) -> None:
            if colour or not message:
                super().render_error(message)
                return
            # inquirer's own draws the reason in red and bold whatever the theme says.
            self.render_in_bottombar(f">> {message.rstrip()[: max(self.width - 4, 10)]} ")

    hidden = os.environ.pop("NO_COLOR", None)
    try:
        return Render(theme=_theme(colour))
    finally:
        if hidden is not None:
            os.environ["NO_COLOR"] = hidden


def _theme(colour: bool) -> Any:
    from inquirer import themes

    theme = themes.Default()
    if not colour:
        theme.Question.mark_color = ""
        theme.Question.brackets_color = ""
        theme.Question.default_color = ""
        theme.List.selection_color = ""
        theme.List.unselected_color = ""
    return theme
