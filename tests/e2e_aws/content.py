"""The scenario's own templates (tests/e2e_aws/scenario.py), as the files of a Git repository.

On a deployed stage they must be in a repository the stack can read: write them with
`python -m tests.e2e_aws.content DIR`, commit and push DIR, and name it in AICORE_E2E_REPO_URL (infra/README.md).
"""
from __future__ import annotations

import hashlib
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict

import yaml

SCENARIO = "e2e-aws"
TRAIN, PEEK, SERVE = "e2e-train", "e2e-peek", "e2e-serve"
SECRET = "e2e-creds"  # a generic secret every tenant has, each with its own value
OTHERS_SECRET = "e2e-t2-only"  # a generic secret only the second tenant has

# The training step: `mode` ok (train and write the model), fail (exit 3), hold (print, then wait to be stopped).
# It prints a digest of the secret it was given, never the secret.
TRAIN_PY = textwrap.dedent("""
    import hashlib, os, sys, time
    mode, data, out = sys.argv[1:4]
    print('mode', mode, flush=True)
    print('secret', hashlib.sha256(os.environ['TOKEN'].encode()).hexdigest()[:16], flush=True)
    if mode == 'fail':
        print('cannot converge', file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == 'hold':
        time.sleep(600)
    rows = open(os.path.join(data, 'train.csv')).read().splitlines()
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, 'weights.txt'), 'w').write(f'rows={len(rows)}')
    print('trained on', len(rows), 'rows', flush=True)
""")

# The predictor: listens on $PORT (as KServe's custom containers do, 8080 when unset), answers every request with
# its greeting and the path it was asked for.
PREDICTOR_PY = textwrap.dedent("""
    import http.server, json, os
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get('Content-Length') or 0))
            body = json.dumps({'greeting': os.environ['GREETING'], 'path': self.path}).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    print('serving', os.environ['GREETING'], flush=True)
    http.server.ThreadingHTTPServer(('', int(os.environ.get('PORT') or 8080)), Handler).serve_forever()
""")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _metadata(name: str) -> Dict[str, Any]:
    return {"name": name,
            "annotations": {"scenarios.ai.sap.com/name": "AWS path end-to-end",
                            "executables.ai.sap.com/name": name,
                            "artifacts.ai.sap.com/dataset.kind": "dataset",
                            "artifacts.ai.sap.com/model.kind": "model"},
            "labels": {"scenarios.ai.sap.com/id": SCENARIO, "ai.sap.com/version": "1.0.0"}}


def workflow_template(name: str, secret: str) -> Dict[str, Any]:
    step = {"name": "train",
            "inputs": {"artifacts": [{"name": "dataset", "path": "/data"}]},
            "outputs": {"artifacts": [{"name": "model", "globalName": "model", "path": "/out/model",
                                       "archive": {"none": {}}}]},
            "container": {"image": "python:3.12", "command": ["python", "-c", TRAIN_PY],
                          "args": ["{{workflow.parameters.mode}}", "/data", "/out/model"],
                          "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": secret,
                                                                                   "key": "token"}}}]}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": _metadata(name),
            "spec": {"entrypoint": "main",
                     "arguments": {"parameters": [{"name": "mode", "value": "ok"}]},
                     "templates": [{"name": "main", "steps": [[{"name": "train", "template": "train"}]]}, step]}}


def serving_template() -> Dict[str, Any]:
    predictor = {"predictor": {"containers": [{
        "name": "kserve-container", "image": "python:3.12", "command": ["python", "-c", PREDICTOR_PY],
        "env": [{"name": "GREETING", "value": "{{inputs.parameters.greeting}}"}]}]}}
    metadata = _metadata(SERVE)
    metadata["annotations"] = {k: v for k, v in metadata["annotations"].items() if "artifacts" not in k}
    return {"apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate", "metadata": metadata,
            "spec": {"inputs": {"parameters": [{"name": "greeting", "default": "hello", "type": "string"}]},
                     "template": {"apiVersion": "serving.kserve.io/v1beta1",
                                  "metadata": {"labels": "ai.sap.com/resourcePlan: starter\n"},
                                  "spec": yaml.safe_dump(predictor, sort_keys=False)}}}


def templates() -> Dict[str, str]:
    """workflows/*.yaml of the scenario's repository: a training, a training that reads a secret its tenant lacks,
    a serving template."""
    return {f"workflows/{name}.yaml": yaml.safe_dump(document, sort_keys=False)
            for name, document in ((TRAIN, workflow_template(TRAIN, SECRET)),
                                   (PEEK, workflow_template(PEEK, OTHERS_SECRET)),
                                   (SERVE, serving_template()))}


def write(directory: Path) -> None:
    for relative, text in templates().items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.e2e_aws.content DIR  (writes DIR/workflows/*.yaml; push DIR to Git)")
    write(Path(sys.argv[1]))
    print(f"wrote {', '.join(sorted(templates()))} under {sys.argv[1]}: commit and push them, then set "
          "AICORE_E2E_REPO_URL to that repository")
