"""The predictor: KServe's v1 protocol, `POST /v1/models/<name>:predict` with {"instances": [text, ...]}."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from model import NaiveBayes

MODEL_NAME = os.environ.get("MODEL_NAME", "text-classifier")
MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/mnt/models"))
MODEL = NaiveBayes.load(MODEL_DIR)


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
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            instances = request["instances"]
            if not isinstance(instances, list) or not all(isinstance(i, str) for i in instances):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"error": 'send {"instances": ["some text", ...]}'})
            return
        self._reply(200, {"predictions": [MODEL.predict(text) for text in instances]})

    def log_message(self, fmt, *args):
        print("serve:", fmt % args, flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9001"))
    print(f"serve: model {MODEL_NAME} from {MODEL_DIR} on port {port}", flush=True)
    ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), Handler).serve_forever()
