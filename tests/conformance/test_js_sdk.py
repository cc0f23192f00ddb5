"""SAP's JavaScript SDK (`@sap-ai-sdk/ai-api`, installed from tests/js/package-lock.json by `make test`) walks the
stack from Node: tests/js/walk.mjs, configured only by the service key the stack writes, as the SDK's docs say for
use outside BTP (AICORE_SERVICE_KEY). This test prepares the Git content, runs the walk and then checks what it
left behind with the Python client and plain HTTP."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from ai_api_client_sdk.models.status import Status

from tests.support.conformance import bearer, renamed_template
from tests.support.git_repo import commit_tree
from tests.support.serving_conformance import map_serve_image

JS = Path(__file__).resolve().parents[1] / "js"
RG = "js-sdk"
SCENARIO, TRAIN, SERVE = "jssdk", "js-train", "js-serve"

# Every step of walk.mjs, in order: a step that silently stopped being run fails here.
STEPS = [
    "meta", "tenant info, services, quotas, resources", "resource group create, get, list, patch",
    "resource group delete", "repository create, get, list", "application create, refresh, status until synced",
    "scenarios, versions, executables", "object store secret create, get, list",
    "dataset file upload, download, delete (encoded path)", "binary file round trip", "model file upload",
    "artifact create, get, list, count", "configuration create, get, list, count",
    "execution create, get, list, count, until COMPLETED", "execution logs, outputs, metrics",
    "execution stop (modify), delete, bulk modify", "metrics delete",
    "deployment create, get, list, count, until RUNNING", "inference through the SDK client",
    "deployment switches configuration", "deployment logs, stop, delete, bulk modify",
    "execution schedule create, get, list, count, modify, delete", "generic secret create, get, list, update, delete",
    "docker registry secret create, get, list, patch, delete", "KPIs", "object store secret delete",
    "application and repository delete",
]


@pytest.fixture(scope="module")
def walk(stack, tmp_path_factory):
    node = shutil.which("node")
    assert node, "Node.js (v20 or later) is needed for the JavaScript SDK conformance test"
    assert (JS / "node_modules" / "@sap-ai-sdk" / "ai-api").is_dir(), (
        "tests/js/node_modules is missing: `make test` installs it (`make js-deps`, i.e. npm ci in tests/js)")
    map_serve_image(stack.home)
    repo = tmp_path_factory.mktemp("js-sdk-repo")
    commit_tree(repo, {"workflows/train.yaml": renamed_template("training.yaml", SCENARIO, TRAIN, "1.0.0"),
                       "workflows/serve.yaml": renamed_template("serving.yaml", SCENARIO, SERVE, "1.0.0")})
    service_key = (stack.home / "service-keys" / "default.json").read_text()
    env = {**os.environ, "AICORE_SERVICE_KEY": service_key, "WALK_RESOURCE_GROUP": RG,
           "WALK_REPOSITORY_URL": repo.as_uri(), "WALK_SCENARIO": SCENARIO, "WALK_TRAIN_EXECUTABLE": TRAIN,
           "WALK_SERVE_EXECUTABLE": SERVE, "WALK_NAME": "js-sdk"}
    done = subprocess.run([node, "walk.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=600)
    return done


def test_the_sdk_walks_every_step(walk):
    lines = walk.stdout.splitlines()
    assert walk.returncode == 0, walk.stdout[-4000:] + walk.stderr[-4000:]
    assert [line[3:] for line in lines if line.startswith("ok ")] == STEPS


def test_what_the_walk_left_is_there_for_other_clients(walk, stack, core):
    results = [line[7:] for line in walk.stdout.splitlines() if line.startswith("RESULT ")]
    assert walk.returncode == 0 and len(results) == 1, "the walk did not finish: see test_the_sdk_walks_every_step"
    result = json.loads(results[0])
    # The file the SDK uploaded through the encoded path is the one the plain path names.
    assert result["datasetFile"] == f"default/{RG}/data/train.csv"
    plain = requests.get(f"{stack.exports['AICORE_BASE_URL']}/lm/dataset/files/{result['datasetFile']}", timeout=10,
                         headers={"Authorization": bearer(stack.exports), "AI-Resource-Group": RG})
    assert plain.status_code == 200 and plain.content == b"text,label\ngood,1\nbad,0\n"
    execution = core.execution.get(result["execution"], resource_group=RG)
    assert execution.status == Status.COMPLETED and execution.configuration_id == result["configurations"]["train"]
    assert core.artifact.get(result["artifacts"]["dataset"], resource_group=RG).url == f"ai://default/{RG}/data"
    assert core.deployment.count(resource_group=RG) == 0
