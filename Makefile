# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint lint-github typecheck unit conformance docs-site bench docs generate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

install: $(STAMP)

# lint-imports holds the direction of imports (the contracts in pyproject.toml; docs/architecture.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Every workflow (ours and the examples in the docs) and the action itself: actionlint for correctness,
# zizmor for security (template injection, unpinned actions, broad permissions), the action's schema.
WORKFLOWS := $(wildcard .github/workflows/*.yml docs/examples/workflows/*.yml)
ACTION := $(wildcard action.yml)
lint-github: install
	$(BIN)/actionlint $(WORKFLOWS)
	$(BIN)/zizmor --offline --no-progress $(WORKFLOWS) $(ACTION)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)
	$(if $(ACTION),$(BIN)/check-jsonschema --builtin-schema vendor.github-actions $(ACTION))

typecheck: install
	$(BIN)/mypy --strict dbt_cloud

unit: install
	$(BIN)/python -m pytest

# schemathesis against the local runner, alone (`unit` runs it too, bounded: about half a minute).
conformance: install
	$(BIN)/python -m pytest -q -rxX tests/integration/test_local_runner_conformance.py

test: lint lint-github typecheck docs-site unit

demo: install
	$(BIN)/python demo/run_demo.py

# The docs site; --strict turns a broken link or anchor into a failure.
docs-site: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

docs: install
	$(BIN)/python scripts/gen_reference.py
	$(BIN)/python scripts/gen_command_index.py
	$(BIN)/python scripts/gen_local_operations.py

# The command modules of dbt_cloud/api/generated/, from spec/ and scripts/command_overrides.toml.
generate: install
	$(BIN)/python scripts/generate_commands.py
	$(BIN)/python scripts/generate_local_api.py

# Each benchmark measures its floor in the same run; the last step prints every ratio to its floor.
bench: install
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/local_runner.py
	$(BIN)/python benchmarks/in_process.py
	$(BIN)/python benchmarks/catalog.py
	$(BIN)/python benchmarks/artifact_download.py
	$(BIN)/python benchmarks/run_list_all.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/discovery.py
	$(BIN)/python benchmarks/ratios.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache
