"""`make render`: the Argo Workflow for a WorkflowTemplate file, as YAML that Argo's own model (hera's generated
classes) accepts, with the parameters and artifacts given on the command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from hera.workflows.models import Workflow

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "examples" / "text-classifier" / "templates" / "training.yaml"


def render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.render", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_examples_training_renders_as_an_argo_workflow():
    done = render(str(TRAINING), "--param", "alpha=0.5", "--artifact", "reviews=ai://default/text-classifier/data")
    assert done.returncode == 0, done.stderr
    (workflow,) = list(yaml.safe_load_all(done.stdout))
    Workflow.model_validate(workflow)
    assert workflow["kind"] == "Workflow" and workflow["spec"]["entrypoint"] == "pipeline"
    assert {"name": "alpha", "value": "0.5"} in workflow["spec"]["arguments"]["parameters"]
    assert workflow["spec"]["arguments"]["artifacts"] == [{"name": "reviews", "s3": {"key": "text-classifier/data"}}]


def test_bad_input_is_one_line_naming_the_problem():
    enum = render(str(ROOT / "tests" / "conformance" / "argo" / "params-enum.yaml"), "--param", "color=purple")
    assert enum.returncode == 1 and "enum list: 'purple'" in enum.stderr and "Traceback" not in enum.stderr
    other_store = render(str(TRAINING), "--artifact", "reviews=ai://mystore/data")
    assert other_store.returncode == 1 and "only ai://default/" in other_store.stderr
    serving = render(str(TRAINING.with_name("serving.yaml")))
    assert serving.returncode == 1 and "not rendered yet" in serving.stderr
    missing = render("no/such/file.yaml")
    assert missing.returncode == 1 and "No such file" in missing.stderr
