"""An AI Library package's predictor (its src/serve.py) as a process on loopback, for the packages' unit tests:
the same file the stack runs in a deployment, with its model from a folder the test trained into."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from tests.support.stack_process import free_port


@contextmanager
def predictor(src: Path, model_dir: Path, name: str) -> Iterator[str]:
    """Yields `http://127.0.0.1:<port>/v1/models/<name>` once it answers readiness as KServe's v1 protocol says."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "serve.py"], cwd=src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={"PORT": str(port), "HOST": "127.0.0.1", "MODEL_DIR": str(model_dir),
                                   "PATH": "/usr/bin"})
    base = f"http://127.0.0.1:{port}/v1/models/{name}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert json.load(urllib.request.urlopen(base, timeout=2)) == {"name": name, "ready": True}
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("predictor did not start: " + server.stdout.read().decode())
                time.sleep(0.1)
        yield base
    finally:
        server.kill()
        server.wait(10)


def post(url: str, body: bytes) -> Tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
