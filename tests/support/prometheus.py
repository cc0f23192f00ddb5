"""Debian's Prometheus server (`prometheus`, installed by `make test` with promtool) scraping a target, for tests
that check what a real Prometheus makes of the stack's /metrics."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

import requests
import yaml


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrometheusServer:
    def __init__(self, folder: Path, target: str, metrics_path: str = "/metrics",
                 credentials_file: Optional[Path] = None, interval: str = "1s"):
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        job = {"job_name": "aicore", "metrics_path": metrics_path, "scrape_interval": interval,
               "static_configs": [{"targets": [target]}]}
        if credentials_file:
            job["authorization"] = {"type": "Bearer", "credentials_file": str(credentials_file)}
        self.config = folder / "prometheus.yml"
        self.config.write_text(yaml.safe_dump({"global": {"scrape_interval": interval}, "scrape_configs": [job]}))
        self._process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 30) -> "PrometheusServer":
        binary = shutil.which("prometheus")
        if not binary:
            raise AssertionError("Debian's prometheus is needed: `make test` installs it (apt-get install prometheus)")
        self._process = subprocess.Popen(
            [binary, f"--config.file={self.config}", f"--storage.tsdb.path={self.folder / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=(self.folder / "prometheus.log").open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/-/ready", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"prometheus did not start: {(self.folder / 'prometheus.log').read_text()[-2000:]}")

    def target_health(self) -> dict:
        targets = requests.get(f"{self.url}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
        return targets[0] if targets else {}

    def query(self, expr: str) -> list:
        answer = requests.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10).json()
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
