"""Input artifacts of runs and predictors' models on the embedded stack's real emulator: the reference's secret
works, a store that never answers ends the run DEAD naming the secret within bound, and tenant B's run cannot take
tenant A's files as its input."""
import time

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.scenarios import Executable, ExecutableArtifact, ExecutableParameter
from tests.support.embedded import embedded_api, silent_store
from tests.support.local_engine import TRAIN_PY, TUTORIAL
from tests.support.seed import SEEDED_AT, seed_scenario

OSS = "/v2/admin/objectStoreSecrets"
FILES = "/v2/lm/dataset/files"
KEYS = {"AWS_ACCESS_KEY_ID": "<access-key>", "AWS_SECRET_ACCESS_KEY": "<secret-key>"}
BOUND = 10 + 5  # the promised 10 s plus slack: proves "does not hang"


@pytest.fixture
def engine_api(settings, tmp_path):
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.bootstrap import container

    with embedded_api(settings) as api:
        engine = use_local_engine(container())
        images = tmp_path / "images" / "house"
        (images / "src").mkdir(parents=True)
        (images / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY src/ /app/src/\n")
        (images / "src" / "train.py").write_text(TRAIN_PY)
        api.settings.home.mkdir(parents=True, exist_ok=True)
        (api.settings.home / "images.yaml").write_text(f"images:\n  docker.io/me/house-price: {images}\n")
        for tenant in ("t1", "t2"):
            seed(tenant)
            ok(api.call("POST", "/v2/admin/secrets", {"name": "creds", "data": {"token": "c2VjcmV0"}}, tenant=tenant))
        try:
            yield api
        finally:
            engine.shutdown()


def seed(tenant):
    from chalicelib.bootstrap import container

    store = container().store
    seed_scenario(store, tenant, "scn-1")
    executable = Executable(id="house-train", name="house-train", scenario_id="scn-1", version_id="1",
                            deployable=False, parameters=[ExecutableParameter(name="alpha")],
                            input_artifacts=[ExecutableArtifact(name="housedataset")],
                            output_artifacts=[ExecutableArtifact(name="housemodel", kind="model")],
                            created_at=SEEDED_AT, modified_at=SEEDED_AT, template=TUTORIAL)
    store.create(TenantContext(tenant), executable.to_record(Executable.record_id("scn-1", "house-train")))


def ok(result):
    assert result.status < 300, result
    return result.json


def run(api, url, tenant="t1"):
    """Register `url` as the dataset, run the tutorial-style template on it, return the finished execution and
    the seconds from POST to its end."""
    artifact = ok(api.call("POST", "/v2/lm/artifacts", {"name": "data", "kind": "dataset", "url": url,
                                                        "scenarioId": "scn-1"}, tenant=tenant))["id"]
    config = ok(api.call("POST", "/v2/lm/configurations", {
        "name": "cfg", "scenarioId": "scn-1", "executableId": "house-train",
        "inputArtifactBindings": [{"key": "housedataset", "artifactId": artifact}]}, tenant=tenant))["id"]
    started = time.monotonic()
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}, tenant=tenant))
    while time.monotonic() - started < 60:
        execution = ok(api.call("GET", f"/v2/lm/executions/{execution['id']}", tenant=tenant))
        if execution["status"] in ("COMPLETED", "DEAD", "STOPPED"):
            return execution, time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"execution still {execution['status']} after 60 s: {execution}")


def test_the_references_secret_feeds_a_run_from_the_embedded_store(engine_api):
    api = engine_api
    ok(api.call("POST", OSS, {"name": "default", "type": "S3", "pathPrefix": "my-bucket/training-output",
                              "data": KEYS}, rg=None))
    ok(api.call("PUT", f"{FILES}/default/house/train.csv", raw=b"a,b\n1,2\n3,4\n",
                headers={"Content-Type": "text/csv"}))
    done, _ = run(api, "ai://default/house")
    assert done["status"] == "COMPLETED", done
    model = api.call("GET", f"{FILES}/default/{done['id']}/housemodel/model.txt", headers={"Accept": "*/*"})
    assert model.status == 200 and model.body.startswith(b"rows=3")


def test_an_input_on_a_store_that_never_answers_ends_dead_naming_the_secret(engine_api):
    api = engine_api
    ok(api.call("POST", OSS, {"name": "default", "type": "S3", "data": {}}, rg=None))
    with silent_store() as endpoint:
        ok(api.call("POST", OSS, {"name": "hangs", "type": "S3", "bucket": "data", "endpoint": endpoint,
                                  "data": KEYS}, rg=None))
        done, seconds = run(api, "ai://hangs/house")
    assert done["status"] == "DEAD", done
    assert seconds < BOUND + 5, seconds  # plus the engine's own start and poll
    assert "input artifact 'housedataset'" in done["statusMessage"]
    assert "Object store secret 'hangs'" in done["statusMessage"] and "endpoint" in done["statusMessage"]


def test_tenant_b_cannot_take_tenant_a_files_as_a_run_input(engine_api):
    api = engine_api
    ok(api.call("POST", OSS, {"name": "default", "type": "S3", "pathPrefix": "datasets", "data": {}}, rg=None))
    ok(api.call("PUT", f"{FILES}/default/house/train.csv", raw=b"a,b\nA's,row\n",
                headers={"Content-Type": "text/csv"}))
    bucket, port = api.settings.resolved_bucket, api.emulator.port
    ok(api.call("POST", OSS, {"name": "default", "type": "S3", "data": {}}, rg=None, tenant="t2"))
    ok(api.call("POST", OSS, {"name": "steal", "type": "S3", "bucket": bucket, "endpoint": f"localhost:{port}",
                              "usehttps": "0", "pathPrefix": "tenants/t1/default", "data": KEYS},
                rg=None, tenant="t2"))
    done, _ = run(api, "ai://steal/datasets/house", tenant="t2")
    assert done["status"] == "DEAD", done
    assert "secret 'steal'" in done["statusMessage"] and "tenant 't2'" in done["statusMessage"], done
    logs = ok(api.call("GET", f"/v2/lm/executions/{done['id']}/logs", tenant="t2"))["data"]["result"]
    assert "A's" not in str(logs)
    # Without naming A's area, the same endpoint reaches only B's own (empty) one.
    ok(api.call("POST", OSS, {"name": "mine", "type": "S3", "bucket": bucket, "endpoint": f"127.1:{port}",
                              "usehttps": "0", "data": KEYS}, rg=None, tenant="t2"))
    done, _ = run(api, "ai://mine/datasets/house", tenant="t2")
    assert done["status"] == "DEAD" and "ai://mine/datasets/house not found" in done["statusMessage"], done


def test_a_predictor_model_on_a_store_that_never_answers_fails_naming_the_secret(engine_api):
    from chalicelib.adapters.local.serving_storage import ArtifactFetcher
    from chalicelib.bootstrap import container
    from chalicelib.domain.serving import RenderError

    api = engine_api
    c = container()
    fetch = ArtifactFetcher(c.object_locations, c.object_store)
    with silent_store() as endpoint:
        ok(api.call("POST", OSS, {"name": "models", "type": "S3", "bucket": "m", "endpoint": endpoint,
                                  "data": KEYS}, rg=None))
        started = time.monotonic()
        with pytest.raises(RenderError) as failed:
            fetch(TenantContext("t1", "default"), "ai://models/house/v1", api.settings.home / "model-dl")
    assert time.monotonic() - started < BOUND
    assert "Object store secret 'models'" in str(failed.value) and "endpoint" in str(failed.value)
    ok(api.call("POST", OSS, {"name": "theirs", "type": "S3", "pathPrefix": "tenants/t2", "data": {}}, rg=None))
    with pytest.raises(RenderError) as refused:
        fetch(TenantContext("t1", "default"), "ai://theirs/default/model", api.settings.home / "model-dl2")
    assert "secret 'theirs'" in str(refused.value) and "tenant 't1'" in str(refused.value)
