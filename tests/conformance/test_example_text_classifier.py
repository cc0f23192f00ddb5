"""The README's example end to end: the example's own cicd/pipeline.py against the running stack, configured only
from the printed exports; then a prediction through the deployment URL."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.git_repo import commit_tree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "text-classifier"
RG = "example-rg"


def token(exports):
    return requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                         auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()["access_token"]


def test_example_trains_serves_and_predicts(stack, tmp_path):
    content = tmp_path / "text-classifier"
    shutil.copytree(EXAMPLE, content, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    config = content / "cicd" / "config.json"
    config.write_text(config.read_text().replace("REPLACE_WITH_YOUR_REPOSITORY_URL", content.as_uri()))
    commit_tree(content, {str(p.relative_to(content)): p.read_text() for p in content.rglob("*") if p.is_file()})

    exports = {**stack.exports, "AICORE_RESOURCE_GROUP": RG}
    headers = {"Authorization": f"Bearer {token(exports)}", "AI-Resource-Group": RG}
    base = exports["AICORE_BASE_URL"]
    assert requests.post(f"{base}/admin/resourceGroups", json={"resourceGroupId": RG}, headers=headers,
                         timeout=10).status_code == 202
    secret = {"name": "default", "type": "S3", "pathPrefix": "example",
              "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}}
    assert requests.post(f"{base}/admin/objectStoreSecrets", json=secret, headers=headers, timeout=10).ok
    upload = requests.put(f"{base}/lm/dataset/files/default/text-classifier/data/reviews.csv", timeout=10,
                          data=(EXAMPLE / "data" / "reviews.csv").read_bytes(),
                          headers={**headers, "Content-Type": "text/csv"})
    assert upload.status_code == 201, upload.text

    env = {**os.environ, **exports}
    run = subprocess.run([sys.executable, str(content / "cicd" / "pipeline.py")], env=env, capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    log = run.stdout + run.stderr
    assert "evaluate: accuracy" in log and "is RUNNING at" in log

    url = log.split("is RUNNING at ")[-1].split()[0]
    prediction = requests.post(f"{url}/v1/models/text-classifier:predict", headers=headers, timeout=10,
                               json={"instances": ["The screen is excellent. I love it", "It keeps crashing"]})
    assert prediction.json() == {"predictions": ["positive", "negative"]}
    metrics = requests.get(f"{base}/lm/metrics", headers=headers, timeout=10,
                           params={"executionIds": _execution_id(base, headers)}).json()
    names = {m["name"] for r in metrics["resources"] for m in r.get("metrics", [])}
    assert {"accuracy", "train_rows"} <= names


def _execution_id(base, headers):
    executions = requests.get(f"{base}/lm/executions", headers=headers, timeout=10).json()["resources"]
    return executions[-1]["id"]
