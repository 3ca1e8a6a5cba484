# Every target creates .venv and installs prseed (with dev tools) on first use, so a fresh
# machine with Python 3.11 needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROJECT ?=
ARGS ?=

.PHONY: help install seed extract transform load test chromium lint workflows typecheck check bench fake-github demo-snapshot clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools says, for every editable install whose packages are mapped from other folders
	@# (prseed.extract = extract/ ...), that a ./prseed folder may shadow the package: here that folder
	@# IS the package. UserWarning is the class of that notice; the wheel build (tests) still shows all.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install prseed with dev tools

seed: $(STAMP)  ## transform and load every committed snapshot into the embedded PostgreSQL
	$(BIN)/prseed seed $(ARGS)
	@if [ -f snapshots/demo/manifest.json ]; then $(BIN)/prseed report demo; fi

extract: $(STAMP)  ## extract PROJECT=<key> (or ARGS='--repo owner/name') from GitHub
	$(BIN)/prseed extract $(PROJECT) $(ARGS)

transform: $(STAMP)  ## transform PROJECT=<key> snapshot into build/<key>/
	$(BIN)/prseed transform $(PROJECT) $(ARGS)

load: $(STAMP)  ## load PROJECT=<key> (default: every snapshot) into DATABASE_URL or the embedded PostgreSQL
	$(BIN)/prseed load $(PROJECT) $(ARGS)

test: $(STAMP) chromium  ## run the test suite
	$(BIN)/pytest $(ARGS)

chromium:  ## install Debian's chromium for the report's browser test if missing (root + apt only)
	@command -v chromium || command -v chromium-browser || command -v google-chrome || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	     && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	          || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; }; } \
	|| echo "chromium missing and not installable here: the report's browser test will be SKIPPED"

lint: $(STAMP) workflows  ## ruff, and the GitHub Actions workflows against their schema
	$(BIN)/ruff check prseed extract transform load tests bench
	$(BIN)/ruff format --check prseed extract transform load tests bench

workflows: $(STAMP)  ## check .github/workflows/*.yml against the schema check-jsonschema's wheel carries (offline)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

typecheck: $(STAMP)  ## mypy --strict on the package, laid out as installed (prseed.extract = extract/, ...)
	@# mypy cannot follow setuptools' editable import hook, so it reads a tree of links shaped like
	@# the wheel: .typecheck/prseed/{cli,...} plus extract/ transform/ load/ schemas/ as subpackages.
	rm -rf .typecheck/prseed && mkdir -p .typecheck/prseed
	for f in prseed/*; do ln -s "$(CURDIR)/$$f" .typecheck/prseed/; done
	for d in extract transform load schemas; do ln -s "$(CURDIR)/$$d" .typecheck/prseed/$$d; done
	cd .typecheck && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml

check: lint typecheck test  ## everything CI runs

bench: $(STAMP)  ## run every benchmark in bench/ (ARGS=--quick for a smoke run)
	$(BIN)/python -m bench.run_all $(ARGS)

fake-github: $(STAMP)  ## start the fake GitHub server by hand
	$(BIN)/python -m tests.fakegithub $(ARGS)

demo-snapshot: $(STAMP)  ## re-create snapshots/demo with the real extractor against the fake GitHub
	$(BIN)/python -m tests.make_demo_snapshot $(ARGS)

clean:  ## remove the venv, builds and the embedded database
	rm -rf $(VENV) build .pgdata
