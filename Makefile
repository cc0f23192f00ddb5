# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: webapp system-tools run test tenant render library install js-deps unit api conformance bench clean package deploy e2e-aws

# The venv, its requirements, then the aicore-ops console script (.venv/bin/aicore-ops), editable and without
# dependencies (they came with the requirements) so it adds about a second.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
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

# The ML Operations web app (webapp/): installed from its lock file, built into chalicelib/static/webapp, which the
# stack serves at / and Chalice packages for AWS. Rebuilt when its sources change.
WEB_DIR := webapp
WEB_STAMP := $(WEB_DIR)/node_modules/.installed
WEB_BUILD := chalicelib/static/webapp/index.html
WEB_SOURCES := $(shell find $(WEB_DIR)/src -type f 2>/dev/null) $(wildcard $(WEB_DIR)/*.html $(WEB_DIR)/*.ts $(WEB_DIR)/*.json)

$(WEB_STAMP): $(WEB_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20 or later) is needed to build the web app" >&2; exit 1; }
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(WEB_STAMP)

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd $(WEB_DIR) && npm run build --silent
	@touch $(WEB_BUILD)

webapp: $(WEB_BUILD)

run: $(STAMP) $(WEB_BUILD)
	$(PY) -m chalicelib.adapters.local.stack

tenant: $(STAMP)
	$(PY) -m chalicelib.adapters.local.tenant $(NAME)

# What the cluster path would submit for a template file (no stack, no cluster needed): the Argo Workflow of a
# WorkflowTemplate, the KServe InferenceService of a ServingTemplate:
#   make render FILE=path/to/template.yaml [PARAMS="name=value ..."] [ARTIFACTS="name=ai://default/path ..."]
render: $(STAMP)
	@$(PY) -m chalicelib.adapters.local.render $(FILE) $(foreach p,$(PARAMS),--param '$(p)') $(foreach a,$(ARTIFACTS),--artifact '$(a)')

# The AI Library (library/<name>/) into the running stack (`make run` in another shell): its default tenant and
# group through the profile make run writes (.aicore/config.json; exported AICORE_* win). Prints each deployment
# URL and a request to try. LIBRARY="sentiment-analysis flake-analysis" picks packages (default: every one).
library: $(STAMP)
	AICORE_HOME="$${AICORE_HOME:-$(CURDIR)/.aicore}" $(VENV)/bin/aicore-ops library install --create-object-store $(LIBRARY)

test: $(STAMP) $(JS_STAMP) $(WEB_BUILD) system-tools
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

api: $(STAMP)
	$(PY) -m pytest -q tests/api

# schemathesis against /v2/openapi.json, in-process and bounded (also part of `make test` and `make api`).
.PHONY: fuzz
fuzz: $(STAMP)
	$(PY) -m pytest -q tests/api/test_openapi_fuzz.py

conformance: $(STAMP) $(JS_STAMP)
	$(PY) -m pytest -q tests/conformance

bench: $(STAMP)
	$(PY) bench/run.py

# One stack per stage (infra/README.md): the CloudFormation (SAM) template and code packages in dist/$(STAGE)/.
STAGE ?= dev

package: $(STAMP) $(WEB_BUILD)
	$(PY) -m infra.package $(STAGE)

# Deploys dist/$(STAGE)/ as the CloudFormation stack aicore-$(STAGE) (not run in CI; needs AWS credentials):
#   make deploy STAGE=dev DEPLOY_BUCKET=<a bucket of yours for code packages> [PARAMS_FILE=infra/parameters.dev.env]
# PARAMS_FILE holds the stack parameters as Key=Value lines (copy infra/parameters.example.env).
AWS ?= $(shell command -v aws 2>/dev/null || echo $(VENV)/bin/aws)
PARAMS_FILE ?= infra/parameters.$(STAGE).env
STACK_NAME ?= aicore-$(STAGE)

deploy: package
	@test -x "$(AWS)" || { echo "deploy needs the AWS CLI: $(PY) -m pip install awscli (or install AWS CLI v2)" >&2; exit 1; }
	@test -n "$(DEPLOY_BUCKET)" || { echo "set DEPLOY_BUCKET to an S3 bucket for the code packages" >&2; exit 1; }
	@test -f "$(PARAMS_FILE)" || { echo "$(PARAMS_FILE) is missing: copy infra/parameters.example.env" >&2; exit 1; }
	$(AWS) cloudformation package --template-file dist/$(STAGE)/sam.json --s3-bucket $(DEPLOY_BUCKET) \
		--s3-prefix $(STACK_NAME) --output-template-file dist/$(STAGE)/packaged.yaml
	$(AWS) cloudformation deploy --template-file dist/$(STAGE)/packaged.yaml --stack-name $(STACK_NAME) \
		--s3-bucket $(DEPLOY_BUCKET) --s3-prefix $(STACK_NAME) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		--parameter-overrides $$(grep -v '^[[:space:]]*\(#\|$$\)' $(PARAMS_FILE))
	$(AWS) cloudformation describe-stacks --stack-name $(STACK_NAME) --query 'Stacks[0].Outputs' --output table

# The AWS path's scenario (tests/e2e_aws/scenario.py; offline in `make test`) against a deployed stage and its EKS
# cluster; not run in CI. Needs AWS credentials, a kubeconfig for the cluster and the AICORE_E2E_* settings that
# tests/e2e_aws/test_deployed_stage.py lists (the stage's URL, token URL, two tenants' clients, the Git repository).
E2E_SETTINGS := AICORE_E2E_API_URL AICORE_E2E_TOKEN_URL AICORE_E2E_TENANT1_CLIENT_ID AICORE_E2E_TENANT1_CLIENT_SECRET \
	AICORE_E2E_TENANT2_CLIENT_ID AICORE_E2E_TENANT2_CLIENT_SECRET AICORE_E2E_REPO_URL
e2e-aws: $(STAMP)
	@test -x "$(AWS)" && $(AWS) sts get-caller-identity >/dev/null 2>&1 || { echo "e2e-aws needs AWS credentials (aws sts get-caller-identity fails)" >&2; exit 1; }
	@test -n "$$KUBECONFIG" -o -f "$$HOME/.kube/config" || { echo "e2e-aws needs a kubeconfig for the stage's EKS cluster" >&2; exit 1; }
	@for name in $(E2E_SETTINGS); do eval "test -n \"\$$$$name\"" || { echo "e2e-aws needs $$name (tests/e2e_aws/test_deployed_stage.py)" >&2; exit 1; }; done
	$(PY) -m pytest -q tests/e2e_aws/test_deployed_stage.py

# The tests' Debian tools, installed in one apt-get run when missing (command -> package):
#   kubectl  -> kubernetes-client  tests/infra render infra/k8s with kubectl's kustomize (kubectl 1.20)
#   chromium -> chromium           tests/browser drive it with Playwright (the Python package; no browser download)
#   promtool -> prometheus         tests/monitoring check the rules with promtool and scrape with the server
SYSTEM_TOOLS := kubectl:kubernetes-client chromium:chromium promtool:prometheus
system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then apt-get update && apt-get install -y $$missing || \
		{ echo "install the Debian packages$$missing (apt-get install$$missing) for the tests" >&2; exit 1; }; fi

clean:
	rm -rf $(VENV) .pytest_cache $(JS_DIR)/node_modules
