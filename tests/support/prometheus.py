"""Debian's Prometheus (`make system-tools` installs the package) pointed at a local stack with
monitoring/prometheus/prometheus.yml as committed: only the intervals, the target's port and the token file's path
are the test's. Used by the scrape tests and the dashboard screenshot."""
from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml

from chalicelib.adapters.local.net import free_port
from tests.support.stack_process import wait_for

ROOT = Path(__file__).resolve().parents[2]


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/-/ready", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


@contextmanager
def prometheus_scraping(stack, folder: Path) -> Iterator[str]:
    """Yields the server's URL; it scrapes `stack` every second with the stack's operator token."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("no prometheus: `make system-tools` (make test) installs Debian's prometheus package")
    shutil.copy(ROOT / "monitoring" / "prometheus" / "alerts.yml", folder / "alerts.yml")
    config = yaml.safe_load((ROOT / "monitoring" / "prometheus" / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = config["global"]["evaluation_interval"] = "1s"
    job = config["scrape_configs"][0]
    job["static_configs"][0]["targets"] = [f"127.0.0.1:{stack.port}"]
    job["authorization"]["credentials_file"] = str(stack.home / "operator-token")
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen([binary, f"--config.file={folder / 'prometheus.yml'}",
                                f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(url), timeout=30, what="prometheus ready")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def query(url: str, expr: str) -> list:
    answer = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", f"{expr}: {answer}"
    return answer["data"]["result"]
