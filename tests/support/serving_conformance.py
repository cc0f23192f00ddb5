"""Deployments in the conformance suite: the suite's serving template runs tests/fixtures/serving (an image
folder mapped in the stack's images.yaml) with a model uploaded through the dataset API, as a user does."""
from __future__ import annotations

from pathlib import Path

import requests

from tests.support.conformance import SCENARIO, SERVE

SERVE_IMAGE = "docker.io/example/cicd-serve"
IMAGE_FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "serving"


def map_serve_image(home: Path) -> None:
    """Add the predictor's image folder to AICORE_HOME/images.yaml (read on every launch, so no restart)."""
    path = home / "images.yaml"
    text = path.read_text() if path.exists() else ""
    if SERVE_IMAGE in text:
        return
    if "images:" not in text:
        text = "images:\n"
    path.write_text(text.rstrip("\n") + f"\n  {SERVE_IMAGE}: {IMAGE_FOLDER}\n")


def ensure_default_store(core, rg: str) -> None:
    from ai_api_client_sdk.exception import AIAPIServerException

    try:
        core.object_store_secrets.create(name="default", type="S3", data={}, resource_group=rg)
    except AIAPIServerException as err:  # another module made it already (409)
        if err.status_code != 409:
            raise


def model_artifact(core, rg: str, name: str, text: str, scenario: str = SCENARIO) -> str:
    """Upload model.txt under ai://default/<rg>/models/<name> and register it as a model; returns its id."""
    from ai_api_client_sdk.models.artifact import Artifact

    ensure_default_store(core, rg)
    url = f"{core.rest_client.base_url}/lm/dataset/files/default/{rg}/models/{name}/model.txt?overwrite=true"
    response = requests.put(url, data=text.encode(), timeout=10,
                            headers={"Authorization": core.rest_client.get_token(), "AI-Resource-Group": rg,
                                     "Content-Type": "application/octet-stream"})
    assert response.status_code == 201, response.text
    return core.artifact.create(name=f"model {name}", kind=Artifact.Kind.MODEL, url=f"ai://default/{rg}/models/{name}",
                                scenario_id=scenario, resource_group=rg).id


def served_configuration(core, rg: str, name: str, model_text: str, greeting: str = "conf") -> str:
    """A configuration of the suite's serving executable with a model bound to its `model` input."""
    from ai_api_client_sdk.models.input_artifact_binding import InputArtifactBinding
    from ai_api_client_sdk.models.parameter_binding import ParameterBinding

    artifact = model_artifact(core, rg, name, model_text)
    return core.configuration.create(name=name, scenario_id=SCENARIO, executable_id=SERVE,
                                     parameter_bindings=[ParameterBinding(key="envexample", value=greeting)],
                                     input_artifact_bindings=[InputArtifactBinding(key="model", artifact_id=artifact)],
                                     resource_group=rg).id
