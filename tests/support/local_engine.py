"""The local execution engine behind the API in-process (moto): one tenant, one scenario, image folders for the
engine tests (tests/integration/test_local_engine*.py)."""
from __future__ import annotations

import textwrap
import time

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.scenarios import Executable, ExecutableArtifact, ExecutableParameter
from tests.support.seed import SEEDED_AT, seed_scenario

FILES = "/v2/lm/dataset/files"

TUTORIAL = {  # AI Core tutorial style: sh -c, /app/src, dataset at /app/data/, model at /app/model/
    "metadata": {"name": "house-train"},
    "spec": {"entrypoint": "pipeline", "arguments": {"parameters": [{"name": "alpha", "value": "0.5"}]},
             "templates": [
                 {"name": "pipeline", "steps": [[{"name": "train", "template": "trainer"}]]},
                 {"name": "trainer",
                  "inputs": {"artifacts": [{"name": "housedataset", "path": "/app/data/"}]},
                  "outputs": {"artifacts": [{"name": "housepricemodel", "globalName": "housemodel",
                                             "path": "/app/model/", "archive": {"none": {}}}]},
                  "container": {"image": "docker.io/me/house-price:01", "command": ["/bin/sh", "-c"],
                                "args": ["python /app/src/train.py --alpha {{workflow.parameters.alpha}}"],
                                "env": [{"name": "GREETING", "value": "hello"},
                                        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds",
                                                                                          "key": "token"}}}]}}]}}

TRAIN_PY = textwrap.dedent("""
    import os, sys
    rows = open('/app/data/train.csv').read().splitlines()
    os.makedirs('/app/model', exist_ok=True)
    open('/app/model/model.txt', 'w').write(f"rows={len(rows)} {' '.join(sys.argv[1:])}")
    print('trained on', len(rows), 'rows', os.environ['GREETING'], 'token-length', len(os.environ['TOKEN']))
    print('execution', os.environ['AICORE_EXECUTION_ID'], file=sys.stderr)
""")
PREPROCESS_PY = textwrap.dedent("""
    import argparse, os
    p = argparse.ArgumentParser(); p.add_argument('--input'); p.add_argument('--output'); a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    text = open(os.path.join(a.input, 'reviews.txt')).read().lower()
    open(os.path.join(a.output, 'clean.txt'), 'w').write(text)
    print('preprocessed', len(text))
""")
SEED_TRAIN_PY = textwrap.dedent("""
    import argparse, os
    p = argparse.ArgumentParser(); p.add_argument('--input'); p.add_argument('--output'); a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    words = open(os.path.join(a.input, 'clean.txt')).read().split()
    open(os.path.join(a.output, 'vocab.txt'), 'w').write('\\n'.join(sorted(set(words))))
    print('trained', len(words))
""")


def seed_template(store, template, inputs=(), outputs=()):
    seed_scenario(store, "t1", "scn-1")
    name = template["metadata"]["name"]
    executable = Executable(id=name, name=name, scenario_id="scn-1", version_id="1", deployable=False,
                            parameters=[ExecutableParameter(name=p["name"]) for p in
                                        template["spec"].get("arguments", {}).get("parameters", [])],
                            input_artifacts=[ExecutableArtifact(name=a) for a in inputs],
                            output_artifacts=[ExecutableArtifact(name=a, kind="model") for a in outputs],
                            created_at=SEEDED_AT, modified_at=SEEDED_AT, template=template)
    store.create(TenantContext("t1"), executable.to_record(Executable.record_id("scn-1", name)))


@pytest.fixture
def engine_api(api, tmp_path):
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.bootstrap import container

    c = container()
    engine = use_local_engine(c)
    ok(api.call("POST", "/v2/admin/objectStoreSecrets", {"name": "default", "type": "S3", "data": {}}, rg=None))
    images = tmp_path / "images"
    (images / "house" / "src").mkdir(parents=True)
    (images / "house" / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY src/ /app/src/\n")
    (images / "house" / "src" / "train.py").write_text(TRAIN_PY)
    (images / "text").mkdir()
    (images / "text" / "Dockerfile").write_text("FROM python:3.11\nWORKDIR /app\nCOPY . .\nENV MODE=local\n")
    (images / "text" / "preprocess.py").write_text(PREPROCESS_PY)
    (images / "text" / "train.py").write_text(SEED_TRAIN_PY)
    c.settings.home.mkdir(parents=True, exist_ok=True)
    (c.settings.home / "images.yaml").write_text(
        f"images:\n  docker.io/me/house-price: {images / 'house'}\n  text:latest: {images / 'text'}\n")
    yield api
    engine.shutdown()


def ok(result):
    assert result.status < 300, result
    return result.json


def configure(api, executable, params=(), artifacts=()):
    return ok(api.call("POST", "/v2/lm/configurations", {
        "name": f"cfg-{executable}", "scenarioId": "scn-1", "executableId": executable,
        "parameterBindings": [{"key": k, "value": v} for k, v in params],
        "inputArtifactBindings": [{"key": k, "artifactId": v} for k, v in artifacts]}))["id"]


def dataset(api, path, content, name="data"):
    ok(api.call("PUT", f"{FILES}/default/{path}", raw=content, headers={"Content-Type": "text/plain"}))
    folder = path.rsplit("/", 1)[0]
    return ok(api.call("POST", "/v2/lm/artifacts", {"name": name, "kind": "dataset", "url": f"ai://default/{folder}",
                                                    "scenarioId": "scn-1"}))["id"]


def wait_for(api, execution_id, statuses=("COMPLETED", "DEAD", "STOPPED"), timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        execution = ok(api.call("GET", f"/v2/lm/executions/{execution_id}"))
        if execution["status"] in statuses:
            return execution
        time.sleep(0.1)
    raise AssertionError(f"execution {execution_id} still {execution['status']}: {execution}")
