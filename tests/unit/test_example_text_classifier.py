"""The example users follow stays valid: its templates sync, and its model trains and serves predictions."""
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chalicelib.adapters.git.argo import validate_workflow_template
from chalicelib.domain.templates import parse_file
from tests.support.stack_process import free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "text-classifier"


def run(script, *args):
    subprocess.run([sys.executable, str(EXAMPLE / "src" / script), *args], check=True, timeout=60,
                   capture_output=True, text=True, cwd=EXAMPLE / "src")


@pytest.mark.parametrize("name,deployable", [("training.yaml", False), ("serving.yaml", True)])
def test_templates_pass_the_sync_rules(name, deployable):
    outcome = parse_file(name, (EXAMPLE / "templates" / name).read_text(), validate_workflow_template)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    assert template.scenario_id == "text-classifier" and template.deployable is deployable
    if not deployable:
        assert [a.name for a in template.input_artifacts] == ["reviews"]
        assert [a.name for a in template.output_artifacts] == ["textmodel"]
        assert {p.name for p in template.parameters} == {"alpha", "min_accuracy"}


def test_pipeline_trains_an_accurate_model_and_serves_it(tmp_path):
    run("preprocess.py", "--input", str(EXAMPLE / "data"), "--output", str(tmp_path / "processed"))
    run("train.py", "--input", str(tmp_path / "processed"), "--output", str(tmp_path / "model"), "--alpha", "0.5")
    run("evaluate.py", "--data", str(tmp_path / "processed"), "--model", str(tmp_path / "model"),
        "--min-accuracy", "0.9")
    port = free_port()
    server = subprocess.Popen([sys.executable, "serve.py"], cwd=EXAMPLE / "src", stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env={"PORT": str(port), "HOST": "127.0.0.1",
                                                             "MODEL_DIR": str(tmp_path / "model"), "PATH": "/usr/bin"})
    try:
        url = f"http://127.0.0.1:{port}/v1/models/text-classifier:predict"
        body = json.dumps({"instances": ["The battery is excellent. I love it", "It broke on the first day"]})
        for _ in range(50):
            try:
                request = urllib.request.Request(url, data=body.encode(), method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert json.load(response)["predictions"] == ["positive", "negative"]
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail("predictor did not answer")
    finally:
        server.kill()
        server.wait(10)
