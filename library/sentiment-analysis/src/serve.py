"""The predictor: KServe's v1 protocol. `POST /v1/models/<name>:predict` with {"instances": ["text", ...]}
answers {"predictions": [{"label": "positive", "score": 0.93}, ...]} (score: the probability of that label)."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import model as sentiment

MODEL_NAME = os.environ.get("MODEL_NAME", "sentiment-analysis")
MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/mnt/models"))
MODEL = sentiment.load(MODEL_DIR)
MAX_BODY = 1_000_000  # bytes
MAX_INSTANCES, MAX_TEXT = 1000, 10_000
SHAPE = 'send {"instances": ["a sentence", ...]}'


class BadRequest(ValueError):
    """What is wrong with a request body, in words the caller can act on."""


def parse_request(raw: bytes) -> list:
    try:
        request = json.loads(raw or b"null")
    except ValueError:
        raise BadRequest("the body is not JSON; " + SHAPE) from None
    instances = request.get("instances") if isinstance(request, dict) else None
    if not isinstance(instances, list) or not instances:
        raise BadRequest("instances must be a non-empty list; " + SHAPE)
    if len(instances) > MAX_INSTANCES:
        raise BadRequest(f"at most {MAX_INSTANCES} instances per request")
    for i, text in enumerate(instances):
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(f"instances[{i}] must be a non-empty string; " + SHAPE)
        if len(text) > MAX_TEXT:
            raise BadRequest(f"instances[{i}] is longer than {MAX_TEXT} characters")
    return instances


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
            texts = parse_request(self.rfile.read(length))
        except BadRequest as error:
            self._reply(400, {"error": str(error)})
            return
        self._reply(200, {"predictions": sentiment.predict(MODEL, texts)})

    def log_message(self, fmt, *args):
        print("serve:", fmt % args, flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9001"))
    print(f"serve: model {MODEL_NAME} from {MODEL_DIR} on port {port}", flush=True)
    ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), Handler).serve_forever()
