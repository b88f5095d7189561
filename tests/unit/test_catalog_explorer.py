"""The interactive explorer's flow, driven by a scripted prompter with no terminal: every table and
column is reachable through the menus, and back, search, filter, lineage and quit do what they say."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbt_cloud.catalog.explorer import FILTER_ABOVE, Explorer
from dbt_cloud.catalog.loading import Catalog, Manifest, load_catalog, load_manifest
from tests.support.catalog_artifacts import ARTIFACTS, table, write_catalog


class Script:
    """Answers prompts from a script: for a menu, the first choice whose label starts with the
    scripted text; for a text prompt, the text. Records every menu it was shown."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.menus: list[tuple[str, list[str]]] = []
        self.questions: list[str] = []

    def choose(self, message: str, choices: Sequence[tuple[str, Any]]) -> Any:
        labels = [label for label, _ in choices]
        self.menus.append((message, labels))
        wanted = self.answers.pop(0)
        for label, value in choices:
            if label.startswith(wanted):
                return value
        raise AssertionError(f"no choice {wanted!r} in {message!r}: {labels}")

    def ask(self, message: str) -> str:
        self.questions.append(message)
        return self.answers.pop(0)


def explore(catalog: Catalog, manifest: Manifest | None, *answers: str) -> tuple[str, Script]:
    script = Script(*answers)
    written: list[str] = []
    Explorer(catalog, lambda: manifest, script, written.append, width=100, banner="BANNER\n").run()
    assert not script.answers, f"the explorer ended before the script did: {script.answers}"
    return "".join(written), script


def real() -> tuple[Catalog, Manifest]:
    return load_catalog(ARTIFACTS / "real"), load_manifest(ARTIFACTS / "real" / "manifest.json")


def test_choose_a_model_see_its_columns_go_back_search_and_quit() -> None:
    catalog, manifest = real()
    output, script = explore(
        catalog,
        manifest,
        "model",
        "main",
        "customers",
        "← Back",  # from the table to the list of models
        "← Back",  # to the schemas
        "← Back",  # to the main menu
        "Search columns by name",
        "payment",
        "stg_payments.payment_id",
        "Quit",
    )
    assert output.startswith("BANNER\n")
    assert [message for message, _ in script.menus] == [
        "What do you want to explore?",
        "Schema of the models",
        "Models in jaffle_shop.main",
        "customers: what next?",
        "Models in jaffle_shop.main",
        "Schema of the models",
        "What do you want to explore?",
        "Open a table",
        "stg_payments: what next?",
    ]
    assert script.menus[0][1] == ["model (5)", "seed (3)", "Search columns by name", "Quit"]
    assert script.menus[2][1] == [
        "customers  (base table, 7 columns)",
        "orders  (base table, 9 columns)",
        "stg_customers  (view, 3 columns)",
        "stg_orders  (view, 4 columns)",
        "stg_payments  (view, 4 columns)",
        "← Back",
    ]
    assert "model.jaffle_shop.customers\n" in output
    assert "    1  customer_id              INTEGER  tests: not_null, unique\n" in output
    assert "       This is a unique identifier for a customer\n" in output
    assert "3 columns in 2 tables match 'payment'.\n" in output
    assert script.menus[7][1][:2] == [
        "stg_payments.payment_id  INTEGER  (model)",
        "stg_payments.payment_method  VARCHAR  (model)",
    ]
    assert "model.jaffle_shop.stg_payments\n" in output


def test_main_menu_from_deep_down_and_a_search_with_no_match() -> None:
    catalog, manifest = real()
    output, script = explore(
        catalog, manifest, "seed", "main", "raw_orders", "Search", "nothing like this", "", "Main menu", "Quit"
    )
    assert "No column matches 'nothing like this'.\n" in output
    assert [message for message, _ in script.menus][-2:] == ["raw_orders: what next?", "What do you want to explore?"]


def test_parents_and_children_are_one_choice_away() -> None:
    catalog = load_catalog(ARTIFACTS / "warehouse")
    manifest = load_manifest(ARTIFACTS / "warehouse" / "manifest.json")
    output, script = explore(
        catalog,
        manifest,
        "model",
        "MARTS",
        "fct_orders",
        "Go to a parent or child",
        "parent: model.shop.dim_customers",
        "Go to a parent or child",
        "parent: source.shop.raw.customers",
        "Quit",
    )
    lineage = [labels for message, labels in script.menus if message == "Parents and children in the catalog"]
    # The exposure is not in the catalog, so it is listed on the page but not offered as a destination.
    assert lineage[0] == ["parent: model.shop.dim_customers", "parent: model.shop.stg_orders", "← Back"]
    assert lineage[1] == [
        "parent: seed.shop.country_codes",
        "parent: source.shop.raw.customers",
        "child: model.shop.fct_orders",
        "← Back",
    ]
    assert "children     exposure.shop.revenue_dashboard" in output
    assert output.count("source.shop.raw.customers\n  relation     RAW.SHOP.CUSTOMERS") == 1


def _big_schema(tmp_path: Path, count: int) -> Catalog:
    tables = [table(f"model.p.stg_{n:02d}", ["id", f"col_{n}"]) for n in range(count)]
    tables.append(table("model.p.fct_orders", ["order_id"]))
    return load_catalog(write_catalog(tmp_path, *tables))


def test_a_big_schema_asks_for_a_filter_first(tmp_path: Path) -> None:
    catalog = _big_schema(tmp_path, FILTER_ABOVE + 10)
    output, script = explore(
        catalog,
        None,
        "model",
        "main",
        "no such table",  # filter: nothing matches, so it asks again
        "stg_1*",
        "Filter again",
        "",  # Enter lists them all
        "fct_orders",
        "Quit",
    )
    assert len(script.questions) == 3
    assert script.questions[0].startswith(f"{FILTER_ABOVE + 11} models in db.main: type part of a name to filter")
    assert "No model in db.main matches 'no such table'.\n" in output
    filtered = script.menus[2]
    assert filtered[0] == "Models in db.main matching 'stg_1*'"
    assert [label.split()[0] for label in filtered[1]][:-2] == [f"stg_{n}" for n in range(10, 20)]
    assert filtered[1][-2:] == ["Filter again", "← Back"]
    assert len(script.menus[3][1]) == FILTER_ABOVE + 11 + 2
    assert "model.p.fct_orders\n" in output


def test_a_broken_table_is_reported_and_the_session_goes_on(tmp_path: Path) -> None:
    uid, body = table("model.p.broken", ["a"])
    del body["columns"]["a"]["type"]
    catalog = load_catalog(write_catalog(tmp_path, (uid, body), table("model.p.fine", ["b"])))
    output, _ = explore(catalog, None, "model", "main", "broken", "fine", "Quit")
    assert "Error: " in output
    assert "model.p.broken is not a valid catalog table: columns.a.type: Field required" in output
    assert "model.p.fine\n" in output
