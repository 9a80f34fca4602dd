# The two commands of the README: `make demo` and `make test`. Both create .venv/ if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= What was agreed at Sochi?

.PHONY: demo test test-unit lint bench eval clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

## Index the bundled corpus and answer a question; then chat (on a terminal), or run the
## Discord bot when NEWSBOT_DISCORD_TOKEN is set.
demo: $(BIN)/.installed
	$(BIN)/newsbot index
	@if [ -n "$$NEWSBOT_DISCORD_TOKEN" ]; then exec $(BIN)/newsbot serve; fi
	$(BIN)/newsbot ask "$(QUESTION)"
	@if [ -t 0 ]; then $(BIN)/newsbot chat; fi

## Every test: unit, integration (real model and Chroma) and end-to-end (real processes).
test: $(BIN)/.installed
	$(BIN)/pytest

test-unit: $(BIN)/.installed
	$(BIN)/pytest tests/unit

lint: $(BIN)/.installed
	$(BIN)/ruff check index bot tests
	$(BIN)/ruff format --check index bot tests
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/newsbot bench

eval: $(BIN)/.installed
	$(BIN)/newsbot eval --dataset ../shared/eval/squad-v1.1-dev --sample 2000 --seed 0

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
