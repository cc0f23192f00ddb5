"""KServe's payload logger on the cluster -> /v2/monitoring/traffic/{credential}: the deployment's credential in the
URL, CloudEvents in binary mode (Ce-Id, Ce-Type, Ce-Time headers, the payload as body), a sampled share stored in
the group's `default` object store, halves joined by the drift workflow as the local proxy's records are read."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from chalicelib.domain.cluster.inference_service import deployment_inference_service, with_traffic_logger
from chalicelib.domain.context import TenantContext
from chalicelib.domain.traffic_collector import TRAFFIC_PREFIX, kept

ROOT = Path(__file__).resolve().parents[2]
REQUEST, RESPONSE = "org.kubeflow.serving.inference.request", "org.kubeflow.serving.inference.response"
STORE = {"name": "default", "type": "S3", "pathPrefix": "groupdata",
         "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}}


def _drift():
    spec = importlib.util.spec_from_file_location("model_monitoring_drift",
                                                  ROOT / "library" / "model-monitoring" / "src" / "drift.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(spec.origin.rsplit("/", 1)[0]))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    return module


def _credential(deployment_id: str, rate: float, tenant: str = "t1", rg: str = "default") -> str:
    from chalicelib.bootstrap import container

    return container().traffic_credentials.mint(TenantContext(tenant, rg), deployment_id, rate)


def _event(api, credential: str, event_id: str, ce_type: str, body: dict):
    # What KServe's logger sends: no Authorization header, no resource group.
    return api.call("POST", f"{TRAFFIC_PREFIX}{credential}", token=None, rg=None, raw=json.dumps(body).encode(),
                    headers={"Ce-Id": event_id, "Ce-Type": ce_type, "Ce-Time": "2026-12-04T10:00:00Z",
                             "Ce-Specversion": "1.0", "Ce-Source": "http://localhost:9081/"})


def _half(api, part: str, tenant: str = "t1"):
    """GET the stored half through the dataset files API (the Ce-Time above names the file)."""
    return api.call("GET", f"/v2/lm/dataset/files/default/monitoring/dep1/2026-12-04/20261204T100000.000000Z-ev-1."
                           f"{part}.json", tenant=tenant, headers={"Accept": "application/octet-stream"})


def test_kept_halves_are_stored_and_join_into_the_proxys_record_shape(api, tmp_path):
    assert api.call("POST", "/v2/admin/objectStoreSecrets", STORE).status == 202
    credential = _credential("dep1", 1.0)
    request = {"instances": ["a sentence"]}
    response = {"predictions": [{"label": "positive", "score": 0.9}]}
    assert _event(api, credential, "ev-1", REQUEST, request).json == {"recorded": True}
    assert _event(api, credential, "ev-1", RESPONSE, response).json == {"recorded": True}

    for part in ("request", "response"):
        stored = _half(api, part)
        assert stored.status == 200, stored
        assert stored.json["part"] == part and stored.json["deploymentId"] == "dep1"
        (tmp_path / f"ev-1.{part}.json").write_bytes(stored.body if isinstance(stored.body, bytes)
                                                     else stored.body.encode())
    assert _drift().read_traffic(tmp_path, None) == [("a sentence", {"label": "positive", "score": 0.9})]


def test_the_credential_binds_tenant_and_group_and_is_no_tracking_credential(api):
    from chalicelib.bootstrap import container

    assert api.call("POST", "/v2/admin/objectStoreSecrets", STORE, tenant="t2").status == 202
    _event(api, _credential("dep1", 1.0, tenant="t2"), "ev-1", REQUEST, {"instances": ["x"]})
    assert _half(api, "request", tenant="t2").status == 200
    assert _half(api, "request", tenant="t1").status == 404  # t1's group holds nothing of t2's deployment
    tracking = container().tracking_credentials.mint(TenantContext("t1", "default"), "dep1")
    assert _event(api, tracking, "ev-2", REQUEST, {"instances": ["x"]}).status == 401
    forged = _credential("dep1", 1.0)[:-3] + "AAA"
    assert _event(api, forged, "ev-2", REQUEST, {"instances": ["x"]}).status == 401
    traffic = _credential("exec1", 1.0)  # and a traffic credential writes no metrics
    assert api.call("PATCH", f"/v2/tracking/{traffic}/api/v1/metrics", {"execution_id": "exec1", "metrics": []},
                    token="", rg=None).status == 401


def test_events_that_are_not_the_loggers_are_refused_and_unsampled_ones_dropped(api):
    assert api.call("POST", "/v2/admin/objectStoreSecrets", STORE).status == 202
    bad = api.call("POST", f"{TRAFFIC_PREFIX}{_credential('dep1', 1.0)}", token=None, rg=None, raw=b"{}",
                   headers={"Ce-Id": "x", "Ce-Type": "something.else"})
    assert bad.status == 400 and "Ce-Type" in bad.json["error"]["message"]
    never = _credential("dep1", 0.0)
    assert _event(api, never, "ev-1", REQUEST, {"instances": ["x"]}).json == {"recorded": False}
    assert _half(api, "request").status == 404


def test_sampling_keeps_both_halves_of_an_exchange_at_the_templates_rate():
    ids = [f"event-{i}" for i in range(4000)]
    share = sum(kept(0.2, i) for i in ids) / len(ids)
    assert 0.17 < share < 0.23
    assert all(kept(0.2, i) == kept(0.2, i) for i in ids[:50])  # a hash: the response decides as the request did


def test_the_inference_service_gets_the_collectors_url_at_submit_only():
    template = {"apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate",
                "metadata": {"name": "s", "annotations": {"ai.sap.com/recordTraffic": "0.25"}},
                "spec": {"template": {"apiVersion": "serving.kserve.io/v1beta1", "metadata": {},
                                      "spec": "predictor:\n  containers:\n  - name: kserve-container\n"
                                              "    image: my/predictor:1\n"}}}
    rendered = deployment_inference_service(template, deployment_id="dep1", namespace="ns", parameters={},
                                            artifacts={}, pull_secrets=[], service_account="sa",
                                            resource_plans={"starter": {}})
    assert rendered["spec"]["predictor"]["logger"] == {"mode": "all"}  # no credential in the rendered manifest
    submitted = with_traffic_logger(rendered, lambda rate: f"https://api.example/v2/monitoring/traffic/c-{rate}")
    assert submitted["spec"]["predictor"]["logger"] == {"mode": "all",
                                                        "url": "https://api.example/v2/monitoring/traffic/c-0.25"}
    assert "url" not in rendered["spec"]["predictor"]["logger"]
