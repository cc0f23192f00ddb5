"""Set-up shared by the conformance modules, done the way a user does it: through the official clients,
or with `requests` and a token from the printed AICORE_AUTH_URL where the clients have no method."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import requests
import yaml

from tests.support.git_repo import commit_tree
from tests.support.stack_process import wait_for

CONTENT = Path(__file__).resolve().parents[1] / "conformance" / "content"

# The suite's own scenario, apart from the CI/CD flow's `cicdexample` so the two applications never collide.
SCENARIO = "confsuite"
TRAIN = "conf-train"  # WorkflowTemplate, version 1.0.0, labelled ext.ai.sap.com/stage=dev
SERVE = "conf-serve"  # ServingTemplate, version 2.0.0
STAGE_LABEL = "ext.ai.sap.com/stage"


def provisioned_group(core, name: str) -> str:
    core.resource_groups.create(resource_group_id=name)
    wait_for(lambda: core.resource_groups.get(name).status == "PROVISIONED", what=f"resource group {name}")
    return name


def renamed_template(file: str, scenario: str, name: str, version: str,
                     extra_labels: Optional[Dict[str, str]] = None) -> str:
    """A template of conformance/content/ moved into another scenario, name and version."""
    doc = yaml.safe_load((CONTENT / file).read_text())
    meta = doc["metadata"]
    meta["name"] = name
    meta["annotations"]["scenarios.ai.sap.com/name"] = scenario
    meta["annotations"]["executables.ai.sap.com/name"] = name
    meta["labels"].update({"scenarios.ai.sap.com/id": scenario, "ai.sap.com/version": version, **(extra_labels or {})})
    return yaml.safe_dump(doc, sort_keys=False)


def suite_templates() -> Dict[str, str]:
    """The CI/CD content templates, renamed into the suite's scenario, with distinct versions and labels."""
    return {"workflows/train.yaml": renamed_template("training.yaml", SCENARIO, TRAIN, "1.0.0", {STAGE_LABEL: "dev"}),
            "workflows/serve.yaml": renamed_template("serving.yaml", SCENARIO, SERVE, "2.0.0")}


def onboard(core, repo_dir: Path, files: Dict[str, str], repository: str, application: str) -> str:
    """Commit `files` into a new Git repository, onboard it, create an application over workflows/ and wait
    until it is synced; returns the repository URL."""
    commit_tree(repo_dir, files)
    url = repo_dir.as_uri()
    core.repositories.create(name=repository, url=url, username="git", password="unused-locally")
    core.applications.create(repository_url=url, revision="HEAD", path="workflows", application_name=application)
    core.applications.refresh(application)
    wait_for(lambda: synced(core, application), timeout=30, what=f"application {application} synced")
    return url


def synced(core, application: str) -> bool:
    status = core.applications.get_status(application)
    return status.sync_status == "Synced" and status.health_status == "Healthy"


def bearer(exports: Dict[str, str]) -> str:
    """A token as a user fetches one: client credentials against the printed token URL."""
    response = requests.post(exports["AICORE_AUTH_URL"], timeout=10,
                             data={"grant_type": "client_credentials", "client_id": exports["AICORE_CLIENT_ID"],
                                   "client_secret": exports["AICORE_CLIENT_SECRET"]})
    response.raise_for_status()
    return "Bearer " + response.json()["access_token"]


def training_data(core, rg: str) -> str:
    """The `default` object store secret of `rg` (the platform store) and a small dataset under it, as a user
    prepares them before training; returns the dataset's ai:// URL (a folder)."""
    from ai_api_client_sdk.exception import AIAPIServerException

    try:
        core.object_store_secrets.create(name="default", type="S3", data={}, resource_group=rg)
    except AIAPIServerException as err:  # already there (409): another module of the suite made it
        if err.status_code != 409:
            raise
    url = f"{core.rest_client.base_url}/lm/dataset/files/default/{rg}/data/train.csv"
    response = requests.put(url, data=b"text,label\ngood,1\nbad,0\n", timeout=10,
                            headers={"Authorization": core.rest_client.get_token(), "AI-Resource-Group": rg,
                                     "Content-Type": "text/csv"})
    assert response.status_code in (201, 409), response.text
    return f"ai://default/{rg}/data"


def training_configuration(core, rg: str, name: str = "conf training", env: str = "hold") -> str:
    """A dataset artifact and a configuration of the suite's training executable in `rg`; returns its id.

    The step is content/image/src/train.py (mapped in the stack's images.yaml): with env "hold" it keeps running
    until stopped, so modules that drive a live execution's routes get one; any other value trains at once."""
    from ai_api_client_sdk.models.artifact import Artifact
    from ai_api_client_sdk.models.input_artifact_binding import InputArtifactBinding
    from ai_api_client_sdk.models.parameter_binding import ParameterBinding

    dataset = core.artifact.create(name=f"{name} data", kind=Artifact.Kind.DATASET, url=training_data(core, rg),
                                   scenario_id=SCENARIO, resource_group=rg)
    return core.configuration.create(
        name=name, scenario_id=SCENARIO, executable_id=TRAIN,
        parameter_bindings=[ParameterBinding(key="envexample", value=env)],
        input_artifact_bindings=[InputArtifactBinding(key="dataset", artifact_id=dataset.id)],
        resource_group=rg).id


def images_yaml() -> str:
    """AICORE_HOME/images.yaml of the suite's stack: the templates' image is built from content/image."""
    return f"images:\n  docker.io/example/cicd-train: {CONTENT / 'image'}\n"


def serving_configuration(core, rg: str, name: str = "conf serving") -> str:
    from ai_api_client_sdk.models.parameter_binding import ParameterBinding

    return core.configuration.create(name=name, scenario_id=SCENARIO, executable_id=SERVE,
                                     parameter_bindings=[ParameterBinding(key="envexample", value="conf")],
                                     resource_group=rg).id
