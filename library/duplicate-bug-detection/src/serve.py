"""The predictor: KServe's v1 protocol, plus one route to grow the index.

- `POST /v1/models/<name>:predict` with {"instances": [{"title": ..., "description": ...}, ...],
  "parameters": {"top_k": 3}} answers {"predictions": [[{"id", "title", "score"}, ...], ...]}: per instance the
  top_k most similar known reports, best first.
- `POST /v1/models/<name>/reports` with {"reports": [{"id", "title", "description"}, ...]} adds them to the index
  (transformed with the fitted vectorizer: index.py says why) and answers {"added": n, "size": N}. Additions live in
  this process's memory only: a restart (or another replica) serves the trained index again.
- `GET /v1/models/<name>` answers {"name", "ready": true}.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from index import DuplicateIndex
from reports import ReportError, parse_new_report, parse_query

MODEL_NAME = os.environ.get("MODEL_NAME", "duplicate-bug-detection")
MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/mnt/models"))
MAX_BODY = 2_000_000  # bytes
MAX_INSTANCES, MAX_TOP_K, MAX_ADD, MAX_INDEX = 100, 50, 1000, 100_000
QUERY_SHAPE = 'send {"instances": [{"title": "...", "description": "..."}], "parameters": {"top_k": 3}}'
ADD_SHAPE = 'send {"reports": [{"id": "BUG-1234", "title": "...", "description": "..."}]}'


def _json_object(raw: bytes, shape: str) -> dict:
    try:
        request = json.loads(raw or b"null")
    except ValueError:
        raise ReportError("the body is not JSON; " + shape) from None
    if not isinstance(request, dict):
        raise ReportError("the body must be a JSON object; " + shape)
    return request


def parse_predict(raw: bytes):
    """(queries, top_k) from a predict body, or ReportError saying what is wrong with it."""
    request = _json_object(raw, QUERY_SHAPE)
    instances = request.get("instances")
    if not isinstance(instances, list) or not instances:
        raise ReportError("instances must be a non-empty list; " + QUERY_SHAPE)
    if len(instances) > MAX_INSTANCES:
        raise ReportError(f"at most {MAX_INSTANCES} instances per request")
    parameters = request.get("parameters", {})
    top_k = parameters.get("top_k", 3) if isinstance(parameters, dict) else None
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ReportError(f"parameters.top_k must be a whole number from 1 to {MAX_TOP_K}")
    return [parse_query(item, f"instances[{i}]") for i, item in enumerate(instances)], top_k


def parse_additions(raw: bytes, index: DuplicateIndex) -> list:
    request = _json_object(raw, ADD_SHAPE)
    items = request.get("reports")
    if not isinstance(items, list) or not items:
        raise ReportError("reports must be a non-empty list; " + ADD_SHAPE)
    if len(items) > MAX_ADD:
        raise ReportError(f"at most {MAX_ADD} reports per request")
    if len(index) + len(items) > MAX_INDEX:
        raise ReportError(f"the index holds at most {MAX_INDEX} reports; retrain with the reports in the dataset")
    reports = [parse_new_report(item, f"reports[{i}]") for i, item in enumerate(items)]
    seen = set()
    for i, report in enumerate(reports):
        if report.id in seen or index.known(report.id):
            raise ReportError(f"reports[{i}].id {report.id!r} is already in the index")
        seen.add(report.id)
    return reports


def make_handler(index: DuplicateIndex, model_name: str = MODEL_NAME):
    base = f"/v1/models/{model_name}"

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path in ("/", "/v1/models", base):
                self._reply(200, {"name": model_name, "ready": True})
            else:
                self._reply(404, {"error": f"no route {self.path}"})

        def do_POST(self):
            if self.path not in (f"{base}:predict", f"{base}/reports"):
                self._reply(404, {"error": f"use POST {base}:predict or POST {base}/reports"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self._reply(400 if length < 0 else 413, {"error": f"send a JSON body of at most {MAX_BODY} bytes"})
                return
            raw = self.rfile.read(length)
            try:
                if self.path.endswith(":predict"):
                    queries, top_k = parse_predict(raw)
                    self._reply(200, {"predictions": index.most_similar(queries, top_k)})
                else:
                    reports = parse_additions(raw, index)
                    self._reply(200, {"added": len(reports), "size": index.add(reports)})
            except ReportError as error:
                self._reply(400, {"error": str(error)})

        def log_message(self, fmt, *args):
            print("serve:", fmt % args, flush=True)

    return Handler


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9001"))
    loaded = DuplicateIndex.load(MODEL_DIR)
    print(f"serve: model {MODEL_NAME} from {MODEL_DIR} ({len(loaded)} reports) on port {port}", flush=True)
    ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), make_handler(loaded)).serve_forever()
