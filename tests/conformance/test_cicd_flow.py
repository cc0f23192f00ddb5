"""The CI/CD flow of the seed pipeline script, as the official ai-core-sdk runs it against AI Core."""
from pathlib import Path

import pytest
import requests
from ai_api_client_sdk.models.artifact import Artifact
from ai_api_client_sdk.models.base_models import BasicModifyRequest
from ai_api_client_sdk.models.input_artifact_binding import InputArtifactBinding
from ai_api_client_sdk.models.parameter_binding import ParameterBinding
from ai_api_client_sdk.models.status import Status
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.support.conformance import training_data
from tests.support.conformance import bearer
from tests.support.git_repo import commit_tree
from tests.support.serving_conformance import map_serve_image, model_artifact
from tests.support.stack_process import wait_for

CONTENT = Path(__file__).parent / "content"
RG = "cicd-rg"


@pytest.fixture(scope="module")
def repo_url(tmp_path_factory):
    repo = tmp_path_factory.mktemp("content-repo")
    commit_tree(repo, {"workflows/training.yaml": (CONTENT / "training.yaml").read_text(),
                       "workflows/serving.yaml": (CONTENT / "serving.yaml").read_text()})
    return repo.as_uri()


def test_cicd_flow(core, stack, repo_url):
    core.resource_groups.create(resource_group_id=RG)
    wait_for(lambda: core.resource_groups.get(RG).status == "PROVISIONED", what="resource group provisioned")

    core.repositories.create(name="cicd-repo", url=repo_url, username="git", password="token-not-used-locally")
    core.applications.create(repository_url=repo_url, revision="HEAD", path="workflows",
                             application_name="cicd-app")
    core.applications.refresh("cicd-app")

    def synced():
        status = core.applications.get_status("cicd-app")
        return status.sync_status == "Synced" and status.health_status == "Healthy"

    wait_for(synced, timeout=30, what="application synced")

    scenarios = core.scenario.query(resource_group=RG).resources
    assert "cicdexample" in [s.id for s in scenarios]
    executables = {e.id: e for e in core.executable.query(scenario_id="cicdexample", resource_group=RG).resources}
    assert set(executables) == {"cicd-train", "cicd-serve"}
    assert executables["cicd-serve"].deployable and not executables["cicd-train"].deployable

    dataset_url = training_data(core, RG)  # object store secret `default` + a CSV uploaded under it
    artifact = core.artifact.create(name="Example Dataset", kind=Artifact.Kind.DATASET, url=dataset_url,
                                    scenario_id="cicdexample", resource_group=RG)
    assert core.artifact.get(artifact.id, resource_group=RG).url == dataset_url
    assert artifact.id in [a.id for a in core.artifact.query(scenario_id="cicdexample", resource_group=RG).resources]

    train_cfg = core.configuration.create(
        name="Configuration CI/CD Example Training", scenario_id="cicdexample", executable_id="cicd-train",
        parameter_bindings=[ParameterBinding(key="envexample", value="test1")],
        input_artifact_bindings=[InputArtifactBinding(key="dataset", artifact_id=artifact.id)], resource_group=RG)
    # The serving template needs a model (STORAGE_URI = {{inputs.artifacts.model}}); its image is the test
    # predictor (tests/fixtures/serving), mapped in the stack's images.yaml.
    map_serve_image(stack.home)
    model = model_artifact(core, RG, "cicd", "cicd-model", scenario="cicdexample")
    serve_cfg = core.configuration.create(
        name="Configuration CI/CD Example Serving", scenario_id="cicdexample", executable_id="cicd-serve",
        parameter_bindings=[ParameterBinding(key="envexample", value="test1")],
        input_artifact_bindings=[InputArtifactBinding(key="model", artifact_id=model)], resource_group=RG)
    assert core.configuration.count(scenario_id="cicdexample", resource_group=RG) == 2

    execution = core.execution.create(configuration_id=train_cfg.id, resource_group=RG)
    got = core.execution.get(execution.id, resource_group=RG)
    assert got.configuration_name == "Configuration CI/CD Example Training"
    assert core.execution.get(execution.id, select="status", resource_group=RG).status in (
        Status.UNKNOWN, Status.PENDING, Status.RUNNING, Status.COMPLETED)
    assert core.execution.count(configuration_id=train_cfg.id, resource_group=RG) == 1
    # The template runs unchanged on the local engine: /app/src/train.py reads /app/data/, writes /app/model,
    # and logs a metric with ai_core_sdk's Tracking() through AICORE_TRACKING_ENDPOINT.
    wait_for(lambda: core.execution.get(execution.id, resource_group=RG).status in (
        Status.COMPLETED, Status.DEAD), timeout=60, what="execution finished")
    done = core.execution.get(execution.id, resource_group=RG)
    assert done.status == Status.COMPLETED, done.status_message
    assert done.start_time and done.completion_time
    logs = [line.msg for line in core.execution.query_logs(execution.id, resource_group=RG).data.result]
    assert "read 3 rows from /app/data" in logs and any("metrics logged" in m for m in logs), logs
    tracked = core.metrics.query(execution_ids=[execution.id], resource_group=RG).resources[0]
    assert [(m.name, m.value) for m in tracked.metrics] == [("rows", 3.0)]
    model = core.artifact.query(execution_id=execution.id, resource_group=RG).resources
    assert [(a.name, a.url) for a in model] == [("model", f"ai://default/{execution.id}/model")]

    deployment = core.deployment.create(configuration_id=serve_cfg.id, ttl="1h", resource_group=RG)
    expected_url = f"{stack.exports['AICORE_BASE_URL']}/inference/deployments/{deployment.id}"
    assert core.deployment.get(deployment.id, resource_group=RG).deployment_url in ("", expected_url)
    listed = core.deployment.query(scenario_id="cicdexample", resource_group=RG)
    assert deployment.id in [d.id for d in listed.resources]
    wait_for(lambda: core.deployment.get(deployment.id, resource_group=RG).status in (Status.RUNNING, Status.DEAD),
             timeout=60, what="deployment running")
    serving = core.deployment.get(deployment.id, resource_group=RG)
    assert (serving.status, serving.deployment_url) == (Status.RUNNING, expected_url), serving.status_message
    prediction = requests.post(f"{serving.deployment_url}/v2/predict", json={"text": "good"}, timeout=10,
                               headers={"Authorization": bearer(stack.exports), "AI-Resource-Group": RG})
    assert prediction.status_code == 200 and prediction.json()["model"] == "cicd-model"

    core.deployment.modify(deployment.id, target_status=TargetStatus.STOPPED, resource_group=RG)
    wait_for(lambda: core.deployment.get(deployment.id, resource_group=RG).status in (
        Status.STOPPED, Status.DEAD), what="deployment stopped")

    core.deployment.bulk_modify([BasicModifyRequest(deployment.id, TargetStatus.DELETED)], resource_group=RG)
    core.execution.delete(execution.id, resource_group=RG)
    wait_for(lambda: core.execution.count(configuration_id=train_cfg.id, resource_group=RG) == 0,
             what="execution deleted")
    wait_for(lambda: core.deployment.count(configuration_id=serve_cfg.id, resource_group=RG) == 0,
             what="deployment deleted")
