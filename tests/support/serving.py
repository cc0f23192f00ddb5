"""A deployment world for engine tests: in-memory records, the fixture predictor, a fake model store."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Optional

from chalicelib.domain.artifacts import Artifact
from chalicelib.domain.configurations import ArtifactBinding, ConfigurationService, ParameterBinding
from chalicelib.domain.context import TenantContext
from chalicelib.domain.scenarios import Executable, ExecutableArtifact, ExecutableParameter

# The fixture predictor as an image folder (its Dockerfile copies predictor.py to /app/src/serve.py): a pod sees
# only its image's folder, never the repository's path on the host (which may be hidden, e.g. under /tmp).
PREDICTOR_IMAGE_FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "serving"
PREDICTOR_IMAGE = "docker.io/example/serve-fixture"
SCENARIO, EXECUTABLE = "servetest", "serve-fixture"


def predictor_images(folder: Path):
    """An images.yaml in `folder` mapping the fixture predictor's image, and its resolver."""
    from chalicelib.adapters.local.images import ImageResolver

    mapping = folder / "images.yaml"
    mapping.write_text(f"images:\n  {PREDICTOR_IMAGE}: {PREDICTOR_IMAGE_FOLDER}\n")
    return ImageResolver(mapping)


def serving_spec(command=None, port: int = 9001, extra_env: str = "") -> str:
    command = command or ["python", "/app/src/serve.py"]
    quoted = ", ".join(f'"{part}"' for part in command)
    return f"""
predictor:
  minReplicas: 1
  containers:
  - name: kserve-container
    image: {PREDICTOR_IMAGE}:1.0
    ports:
      - containerPort: {port}
    command: [{quoted}]
    env:
      - name: STORAGE_URI
        value: "{{{{inputs.artifacts.model}}}}"
      - name: GREETING
        value: "{{{{inputs.parameters.greeting}}}}"{extra_env}
"""


def serving_template(spec: str) -> dict:
    return {"apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate", "metadata": {"name": EXECUTABLE},
            "spec": {"inputs": {"parameters": [{"name": "greeting", "default": "hello"}],
                                "artifacts": [{"name": "model"}]},
                     "template": {"apiVersion": "serving.kserve.io/v1beta1", "spec": spec}}}


class Clock:
    def __init__(self) -> None:
        self.value = datetime.now(timezone.utc)
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


class ModelStore:
    """Stands in for S3: an ai:// URL -> the text of model.txt written into the model folder."""

    def __init__(self) -> None:
        self.models: Dict[str, str] = {}

    def __call__(self, ctx: TenantContext, url: str, dest: Path) -> None:
        from chalicelib.domain.serving import RenderError

        if url not in self.models:
            raise RenderError(f"Nothing found at {url}.")
        (dest / "model.txt").write_text(self.models[url])


def seed_serving(store, ctx: TenantContext, spec: str) -> None:
    now = datetime.now(timezone.utc)
    executable = Executable(id=EXECUTABLE, name=EXECUTABLE, scenario_id=SCENARIO, version_id="1.0", deployable=True,
                            parameters=[ExecutableParameter(name="greeting", default="hello")],
                            input_artifacts=[ExecutableArtifact(name="model")], created_at=now, modified_at=now,
                            template=serving_template(spec))
    from chalicelib.domain.scenarios import Scenario

    tenant = TenantContext(ctx.tenant)
    store.create(tenant, Scenario(id=SCENARIO, name=SCENARIO, created_at=now, modified_at=now).to_record(SCENARIO))
    store.create(tenant, executable.to_record(Executable.record_id(SCENARIO, EXECUTABLE)))


def configuration(store, ctx: TenantContext, models: ModelStore, model_text: str,
                  greeting: Optional[str] = None, name: str = "conf") -> str:
    now = datetime.now(timezone.utc)
    url = f"ai://default/models/{name}"
    models.models[url] = model_text
    artifact = Artifact(id=f"art-{name}", name=name, kind="model", url=url, scenario_id=SCENARIO, created_at=now,
                        modified_at=now)
    store.create(ctx, artifact.to_record(artifact.id))
    bindings = [ParameterBinding(key="greeting", value=greeting)] if greeting is not None else []
    return ConfigurationService(store, Clock()).create(
        ctx, name, SCENARIO, EXECUTABLE, bindings, [ArtifactBinding(key="model", artifact_id=artifact.id)]).id
