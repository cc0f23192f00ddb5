"""The predictor: KServe's v1 protocol. `POST /v1/models/<name>:predict` with
{"instances": [{"test": "name", "runs": [run, ...]}, ...]} answers
{"predictions": [{"test": "name", "flaky_probability": 0.87, "evidence": {...}}, ...]} (run shape: history.py).
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import model as flake_model
from history import HistoryError, parse_runs

MODEL_NAME = os.environ.get("MODEL_NAME", "flake-analysis")
MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/mnt/models"))
MODEL = flake_model.load(MODEL_DIR)
MAX_BODY = 5_000_000  # bytes; a CI history of thousands of runs is far smaller
MAX_INSTANCES = 100
SHAPE = ('send {"instances": [{"test": "name", "runs": [{"revision": "9f3a2c1", "outcome": "pass" or "fail", '
         '"duration_s": 1.5, "retries": ["pass"]}, ...]}, ...]}')


def parse_request(raw: bytes) -> list:
    """[(test, runs), ...] from a request body, or HistoryError saying what is wrong with it."""
    try:
        request = json.loads(raw or b"null")
    except ValueError:
        raise HistoryError("the body is not JSON; " + SHAPE) from None
    instances = request.get("instances") if isinstance(request, dict) else None
    if not isinstance(instances, list) or not instances:
        raise HistoryError("instances must be a non-empty list; " + SHAPE)
    if len(instances) > MAX_INSTANCES:
        raise HistoryError(f"at most {MAX_INSTANCES} instances per request")
    parsed = []
    for i, instance in enumerate(instances):
        if not isinstance(instance, dict) or not isinstance(instance.get("test"), str):
            raise HistoryError(f'instances[{i}] must be an object with a "test" name and its "runs"; ' + SHAPE)
        parsed.append((instance["test"], parse_runs(instance.get("runs"), f"instances[{i}].runs")))
    return parsed


def predict(instances: list) -> list:
    predictions = []
    for test, runs in instances:
        probability, evidence = flake_model.explain(MODEL, runs)
        predictions.append({"test": test, "flaky_probability": round(probability, 4), "evidence": evidence})
    return predictions


class Handler(BaseHTTPRequestHandler):
    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path in ("/", "/v1/models", f"/v1/models/{MODEL_NAME}"):
            self._reply(200, {"name": MODEL_NAME, "ready": True})
        else:
            self._reply(404, {"error": f"no route {self.path}"})

    def do_POST(self):
        if self.path != f"/v1/models/{MODEL_NAME}:predict":
            self._reply(404, {"error": f"use POST /v1/models/{MODEL_NAME}:predict"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._reply(400 if length < 0 else 413, {"error": f"send a JSON body of at most {MAX_BODY} bytes"})
            return
        try:
            instances = parse_request(self.rfile.read(length))
        except HistoryError as error:
            self._reply(400, {"error": str(error)})
            return
        self._reply(200, {"predictions": predict(instances)})

    def log_message(self, fmt, *args):
        print("serve:", fmt % args, flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9001"))
    print(f"serve: model {MODEL_NAME} from {MODEL_DIR} on port {port}", flush=True)
    ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), Handler).serve_forever()
