"""The catalog explorer in a real pseudo-terminal, as a person uses it: the keys go in, and what is
asserted is the screen an xterm would show (tests/support/terminal.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import art
import pytest

from tests.support.catalog_artifacts import ARTIFACTS
from tests.support.terminal import VirtualTerminal

pytestmark = pytest.mark.slow


@pytest.fixture
def terminal() -> Iterator[VirtualTerminal]:
    command = [sys.executable, "-m", "dbt_cloud", "demo", "data-catalog"]
    session = VirtualTerminal(
        [*command, "-f", str(ARTIFACTS / "real"), "--title-font", "standard"], rows=50, columns=110
    )
    yield session
    session.close()


def test_banner_model_columns_back_search_quit(terminal: VirtualTerminal) -> None:
    screen = terminal.wait_for("What do you want to explore?")
    banner = [line.rstrip() for line in art.text2art("Data Catalog", font="standard").splitlines() if line.strip()]
    assert screen.splitlines()[: len(banner)] == banner
    assert " > model (5)\n   seed (3)\n   Search columns by name\n   Quit" in screen

    terminal.press("enter")  # model
    terminal.wait_for("Schema of the models", "main (5)")
    terminal.press("enter")  # main
    screen = terminal.wait_for("Models in jaffle_shop.main")
    assert " > customers  (base table, 7 columns)" in screen
    terminal.press("enter")  # customers
    screen = terminal.wait_for("customers: what next?")
    lines = screen.splitlines()
    assert "model.jaffle_shop.customers" in lines
    assert "  columns (7)" in lines
    assert "    1  customer_id              INTEGER  tests: not_null, unique" in lines
    assert "       This is a unique identifier for a customer" in lines
    assert "    7  customer_lifetime_value  DOUBLE" in lines
    assert "  documented in the manifest, not in the warehouse (1)" in lines

    terminal.press("enter")  # Back, to the list of models
    screen = terminal.wait_for("Models in jaffle_shop.main")
    assert screen.rstrip().endswith("   ← Back")
    terminal.press(*["down"] * 5, "enter")  # Back, to the schemas
    terminal.wait_for("Schema of the models")
    terminal.press("down", "enter")  # Back, to the main menu
    terminal.wait_for("What do you want to explore?")

    terminal.press("down", "down", "enter")  # Search columns by name
    terminal.wait_for("Column name to search for")
    terminal.press(*"amount", "enter")
    screen = terminal.wait_for("7 columns in 3 tables match 'amount'.", "Open a table")
    assert " > orders.credit_card_amount  DOUBLE  (model)" in screen
    assert "   raw_payments.amount  INTEGER  (seed)" in screen
    terminal.press("enter")
    screen = terminal.wait_for("orders: what next?")
    assert "    5  credit_card_amount    DOUBLE   tests: not_null" in screen.splitlines()

    terminal.press(*["down"] * 4, "enter")  # Quit
    assert terminal.wait_for_exit() == 0


def test_ctrl_c_leaves_with_one_line(terminal: VirtualTerminal) -> None:
    terminal.wait_for("What do you want to explore?")
    terminal.press("ctrl-c")
    terminal.wait_for("Aborted.")
    assert terminal.wait_for_exit() == 130
    assert "Traceback" not in terminal.transcript.decode()


def test_no_color_takes_the_colours_away_but_menus_still_redraw_in_place() -> None:
    command = [sys.executable, "-m", "dbt_cloud", "demo", "data-catalog", "-f", str(ARTIFACTS / "real")]
    session = VirtualTerminal([*command, "--title-font", "standard"], rows=50, columns=110, env={"NO_COLOR": "1"})
    try:
        session.wait_for("What do you want to explore?")
        session.press("down")
        screen = session.wait_for(" > seed (3)")
        assert screen.count("What do you want to explore?") == 1, "redrawn in place, not drawn again below"
        assert "\x1b[33m" not in session.transcript.decode("utf-8", "replace"), "no yellow question mark"
        session.press("ctrl-c")
        assert session.wait_for_exit() == 130
    finally:
        session.close()
