"""The banner: dbt-cloud-cli's --title and --title-font, drawn by art, never wider than the terminal."""

from __future__ import annotations

import art
import pytest

from dbt_cloud.cli.commands.demo import banner, check_font
from dbt_cloud.errors import InputError


def test_the_title_in_the_font_asked_for() -> None:
    assert banner("Shop", "block", 200) == art.text2art("Shop", font="block").rstrip("\n") + "\n"


@pytest.mark.parametrize("font", ["rand-large", "random", "wizard", "STANDARD", "small"])
def test_known_fonts_and_random_modes_are_accepted(font: str) -> None:
    check_font(font)


def test_an_unknown_font_names_the_nearest() -> None:
    with pytest.raises(InputError) as caught:
        check_font("standrd")
    assert caught.value.exit_code == 2
    assert caught.value.one_line().startswith("Unknown --title-font 'standrd' (did you mean standard")


def test_too_wide_falls_back_to_narrower_fonts_then_plain_text() -> None:
    wide = banner("Data Catalog", "block", 80)
    assert wide == art.text2art("Data Catalog", font="standard").rstrip("\n") + "\n"
    assert max(len(line) for line in wide.splitlines()) <= 80
    assert banner("Data Catalog", "standard", 20) == "Data Catalog\n============\n"
    assert banner("  ", "standard", 80) == ""
