# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck unit bench docs generate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy --strict dbt_cloud

unit: install
	$(BIN)/python -m pytest

test: lint typecheck unit

demo: install
	$(BIN)/python demo/run_demo.py

docs: install
	$(BIN)/python scripts/gen_reference.py
	$(BIN)/python scripts/gen_help_index.py

# The command modules of dbt_cloud/commands/generated/, from spec/ and scripts/command_overrides.toml.
generate: install
	$(BIN)/python scripts/generate_commands.py

bench: install
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/local_runner.py
	$(BIN)/python benchmarks/in_process.py
	$(BIN)/python benchmarks/catalog.py
	$(BIN)/python benchmarks/artifact_download.py
	$(BIN)/python benchmarks/run_list_all.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
