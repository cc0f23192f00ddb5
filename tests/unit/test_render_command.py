"""`make render`: the Argo Workflow for a WorkflowTemplate file and the KServe InferenceService for a
ServingTemplate, as YAML that Argo's and KServe's maintained models accept (the stand-in cluster's checks), with the
parameters and artifacts given on the command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.cluster_schemas import inference_service_problems, workflow_problems

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "examples" / "text-classifier" / "templates" / "training.yaml"
SERVING = TRAINING.with_name("serving.yaml")
# Every template the project ships or tests against as AI Core's (the reference's own included), with the input
# artifacts each declares bound in the default store.
TEMPLATES = {
    TRAINING: ["reviews=ai://default/text-classifier/data"],
    SERVING: ["textmodel=ai://default/e1/textmodel"],
    ROOT / "tests" / "conformance" / "reference" / "workflows" / "text-classifier.yaml":
        ["training-data=ai://default/data"],
    ROOT / "tests" / "conformance" / "reference" / "workflows" / "text-classifier-pods.yaml":
        ["training-data=ai://default/data"],
    ROOT / "tests" / "conformance" / "content" / "serving.yaml": ["model=ai://default/m"],
    ROOT / "tests" / "conformance" / "content" / "felix-cicd" / "serve.yaml": [],
    ROOT / "tests" / "fixtures" / "templates" / "serving.yaml": ["textmodel=ai://default/m"],
}


def render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.render", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_examples_training_renders_as_an_argo_workflow():
    done = render(str(TRAINING), "--param", "alpha=0.5", "--artifact", "reviews=ai://default/text-classifier/data")
    assert done.returncode == 0, done.stderr
    (workflow,) = list(yaml.safe_load_all(done.stdout))
    assert workflow_problems(workflow) == []
    assert workflow["kind"] == "Workflow" and workflow["spec"]["entrypoint"] == "pipeline"
    assert {"name": "alpha", "value": "0.5"} in workflow["spec"]["arguments"]["parameters"]
    assert workflow["spec"]["arguments"]["artifacts"] == [{"name": "reviews", "s3": {
        "endpoint": "s3.amazonaws.com", "bucket": "artifacts-bucket",
        "key": "tenants/tenant-id/default/text-classifier/data", "useSDKCreds": True}}]
    steps = {t["name"]: t for t in workflow["spec"]["templates"]}
    assert steps["preprocess"]["inputs"]["artifacts"][0]["s3"]["key"].endswith("/text-classifier/data")
    assert steps["train"]["outputs"]["artifacts"][0]["s3"]["key"] == "tenants/tenant-id/default/execution-id/textmodel"
    assert steps["train"]["nodeSelector"] == {"ai.sap.com/resourcePlan": "starter"}
    assert {"name": "AICORE_EXECUTION_ID", "value": "execution-id"} in steps["train"]["container"]["env"]
    assert workflow["spec"]["imagePullSecrets"] == [{"name": "my-docker-registry"}]


def test_the_examples_serving_template_renders_as_an_inference_service():
    done = render(str(SERVING), "--param", "model_name=clf", "--artifact", "textmodel=ai://default/e1/textmodel")
    assert done.returncode == 0, done.stderr
    (isvc,) = list(yaml.safe_load_all(done.stdout))
    assert inference_service_problems(isvc) == []
    predictor = isvc["spec"]["predictor"]
    env = {e["name"]: e["value"] for e in predictor["containers"][0]["env"]}
    assert env == {"STORAGE_URI": "s3://artifacts-bucket/tenants/tenant-id/default/e1/textmodel", "MODEL_NAME": "clf"}
    assert predictor["imagePullSecrets"] == [{"name": "my-docker-registry"}]
    assert predictor["nodeSelector"] == {"ai.sap.com/resourcePlan": "starter"}
    assert predictor["containers"][0]["resources"]["limits"] == {"cpu": "1", "memory": "3Gi"}


@pytest.mark.parametrize("path", list(TEMPLATES), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_template_renders_to_a_manifest_the_cluster_accepts(path):
    args = [str(path)] + [arg for a in TEMPLATES[path] for arg in ("--artifact", a)]
    done = render(*args)
    assert done.returncode == 0, done.stderr
    for manifest in yaml.safe_load_all(done.stdout):
        check = workflow_problems if manifest["kind"] == "Workflow" else inference_service_problems
        assert check(manifest) == [], manifest["kind"]


def test_a_misspelled_field_in_a_template_shows_up_as_a_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TRAINING.read_text().replace("command:", "comand:", 1))
    done = render(str(bad), "--artifact", "reviews=ai://default/d")
    (workflow,) = list(yaml.safe_load_all(done.stdout))
    assert any(p.startswith("spec.templates.1.container.comand: Extra inputs") for p in workflow_problems(workflow))
    bad.write_text(SERVING.read_text().replace("containerPort", "containerPrt"))
    done = render(str(bad), "--artifact", "textmodel=ai://default/m")
    (isvc,) = list(yaml.safe_load_all(done.stdout))
    assert any("spec.predictor.containers.0.ports.0.containerPrt: unknown field" in p
               for p in inference_service_problems(isvc))


def test_bad_input_is_one_line_naming_the_problem():
    enum = render(str(ROOT / "tests" / "conformance" / "argo" / "params-enum.yaml"), "--param", "color=purple")
    assert enum.returncode == 1 and "enum list: 'purple'" in enum.stderr and "Traceback" not in enum.stderr
    other_store = render(str(TRAINING), "--artifact", "reviews=ai://mystore/data")
    assert other_store.returncode == 1 and "only ai://default/" in other_store.stderr
    unbound = render(str(SERVING))
    assert unbound.returncode == 1 and "input artifact 'textmodel' has no value" in unbound.stderr
    unbound = render(str(TRAINING))
    assert unbound.returncode == 1 and "inputArtifactBindings key 'reviews'" in unbound.stderr
    missing = render("no/such/file.yaml")
    assert missing.returncode == 1 and "No such file" in missing.stderr
