# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test tenant render install js-deps unit api conformance bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# SAP's JavaScript SDK for the conformance suite (tests/conformance/test_js_sdk.py): exact versions from the lock
# file; reinstalled only when the lock changes. Needs Node.js 20+ and npm.
JS_DIR := tests/js
JS_STAMP := $(JS_DIR)/node_modules/.installed

$(JS_STAMP): $(JS_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20 or later) is needed for SAP's JavaScript SDK tests" >&2; exit 1; }
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(JS_STAMP)

js-deps: $(JS_STAMP)

run: $(STAMP)
	$(PY) -m chalicelib.adapters.local.stack

tenant: $(STAMP)
	$(PY) -m chalicelib.adapters.local.tenant $(NAME)

# What the cluster path would submit for a template file (no stack, no cluster needed): the Argo Workflow of a
# WorkflowTemplate, the KServe InferenceService of a ServingTemplate:
#   make render FILE=path/to/template.yaml [PARAMS="name=value ..."] [ARTIFACTS="name=ai://default/path ..."]
render: $(STAMP)
	@$(PY) -m chalicelib.adapters.local.render $(FILE) $(foreach p,$(PARAMS),--param '$(p)') $(foreach a,$(ARTIFACTS),--artifact '$(a)')

test: $(STAMP) $(JS_STAMP)
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

api: $(STAMP)
	$(PY) -m pytest -q tests/api

conformance: $(STAMP) $(JS_STAMP)
	$(PY) -m pytest -q tests/conformance

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache $(JS_DIR)/node_modules
