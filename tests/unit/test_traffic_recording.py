"""Traffic recording (domain/traffic_recording.py): the opt-in annotation, sampling, the record and its path; the
cluster rendering of the same opt-in as KServe's payload logger; the local writer's confinement to the group."""
import json
import random
from datetime import datetime, timezone

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.object_store import check_object_path
from chalicelib.domain.traffic_recording import (ANNOTATION, MAX_BODY_BYTES, TrafficRecorder, is_sampled,
                                                 record_path, sample_rate, traffic_record)
from tests.support.cluster_schemas import inference_service_problems
from tests.unit.test_cluster_rendering import SERVING, isvc

CTX = TenantContext("t1", "rg1")
WHEN = datetime(2026, 12, 4, 17, 5, 9, 123456, tzinfo=timezone.utc)


def template(value):
    return {"metadata": {"name": "serve", "annotations": {ANNOTATION: value}}}


@pytest.mark.parametrize("value, rate", [("0.2", 0.2), (" 1 ", 1.0), ("5", 1.0), (0.5, 0.5), ("0", 0.0),
                                         ("-1", 0.0), ("nan", 0.0), ("yes", 0.0), (None, 0.0)])
def test_sample_rate_reads_the_annotation(value, rate):
    assert sample_rate(template(value)) == rate


def test_no_annotation_records_nothing():
    assert sample_rate({"metadata": {"name": "serve"}}) == 0.0
    assert sample_rate({}) == 0.0 and sample_rate("not a template") == 0.0


def test_sampling_keeps_about_the_rate():
    draws = random.Random(7)
    kept = sum(is_sampled(0.2, draws.random()) for _ in range(10_000))
    assert 1800 < kept < 2200
    assert not is_sampled(0.0, 0.0) and is_sampled(1.0, 0.999999)


def test_record_path_is_the_documented_layout_and_a_valid_object_path():
    path = record_path("d0a1b2c3d4e5f6a7", WHEN, "abc123")
    assert path == "monitoring/d0a1b2c3d4e5f6a7/2026-12-04/20261204T170509.123456Z-abc123.jsonl"
    assert check_object_path(path) == path


def test_record_is_one_json_line_of_the_exchange():
    line = traffic_record(WHEN, "d1", "POST", "/v1/models/m:predict", 200, b'{"instances": ["good"]}',
                          b'{"predictions": ["positive"]}')
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"time": "2026-12-04T17:05:09.123456Z", "deploymentId": "d1", "method": "POST",
                                "path": "/v1/models/m:predict", "status": 200, "request": {"instances": ["good"]},
                                "response": {"predictions": ["positive"]}}


def test_non_json_or_oversized_exchanges_are_not_recorded():
    assert traffic_record(WHEN, "d1", "POST", "/p", 200, b"plain text", b"{}") is None
    assert traffic_record(WHEN, "d1", "POST", "/p", 200, b"{}", b"\xff\xfe") is None
    big = json.dumps({"instances": ["x" * MAX_BODY_BYTES]}).encode()
    assert traffic_record(WHEN, "d1", "POST", "/p", 200, big, b"{}") is None


class Sink:
    def __init__(self):
        self.written = []

    def __call__(self, ctx, path, data):
        self.written.append((ctx, path, data))


def recorder(sink, draw=0.5):
    return TrafficRecorder(sink, lambda: WHEN, lambda: draw, lambda: "r1")


def test_a_sampled_post_is_written_once_finished_with_the_response_fed_in_pieces():
    sink = Sink()
    capture = recorder(sink).capture(CTX, "d1", 1.0, "POST", "/v1/models/m:predict", b'{"instances": [1]}')
    for piece in (b'{"predic', b'tions": [0]}'):
        capture.feed(piece)
    assert sink.written == []  # nothing before the response is complete
    assert capture.finish(200)
    [(ctx, path, data)] = sink.written
    assert ctx == CTX and path == "monitoring/d1/2026-12-04/20261204T170509.123456Z-r1.jsonl"
    assert json.loads(data)["response"] == {"predictions": [0]}


@pytest.mark.parametrize("rate, method, draw", [(0.0, "POST", 0.0), (0.2, "POST", 0.5), (1.0, "GET", 0.0)])
def test_not_opted_in_not_sampled_or_not_a_post_is_not_captured(rate, method, draw):
    assert recorder(Sink(), draw).capture(CTX, "d1", rate, method, "/p", b"{}") is None


def test_a_response_above_the_bound_is_dropped_not_kept():
    sink = Sink()
    capture = recorder(sink).capture(CTX, "d1", 1.0, "POST", "/p", b"{}")
    capture.feed(b"[" + b"1," * (MAX_BODY_BYTES // 2) + b"1]")
    assert not capture.finish(200) and sink.written == []


# -- the cluster: KServe's own payload logger for opted-in templates -------------------------------------------------
def test_an_opted_in_template_renders_kserves_logger_and_passes_kserves_schema():
    opted = {**SERVING, "metadata": {**SERVING["metadata"], "annotations": {ANNOTATION: "0.2"}}}
    manifest = isvc(opted)
    assert manifest["spec"]["predictor"]["logger"] == {"mode": "all"}
    assert inference_service_problems(manifest) == []


def test_a_template_without_the_annotation_has_no_logger():
    assert "logger" not in isvc()["spec"]["predictor"]
