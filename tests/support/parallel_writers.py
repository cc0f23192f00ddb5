"""Many clients creating records at once against the running stack, the way CI jobs and training workers do:
some keep one connection alive, some open a fresh one per call. Shared by the conformance test (zero connection
errors, every acknowledged create stored) and bench/parallel_writers.py (figures).
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from urllib.parse import urlsplit


@dataclass
class Outcome:
    calls: int = 0
    connection_errors: List[str] = field(default_factory=list)  # the client cannot know what happened
    refused: List[str] = field(default_factory=list)  # an HTTP answer that is not the create's 201/202
    created: Dict[str, List[str]] = field(default_factory=dict)  # kind -> ids the server acknowledged
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.calls} calls in {self.seconds:.1f}s: {len(self.connection_errors)} connection errors, "
                f"{len(self.refused)} refused, " + ", ".join(f"{len(v)} {k}" for k, v in self.created.items()))


class Writers:
    """`writers` threads, each making `calls` creates; `fresh` writers open a new connection per call."""

    def __init__(self, base_url: str, token: str, rg: str, scenario: str, executable: str,
                 configuration_for_runs: Optional[str] = None, runs_every: int = 0):
        parts = urlsplit(base_url)
        self.host, self.port, self.prefix = parts.hostname, parts.port, parts.path.rstrip("/")
        self.headers = {"Authorization": token, "AI-Resource-Group": rg, "Content-Type": "application/json"}
        self.scenario, self.executable = scenario, executable
        self.run_configuration, self.runs_every = configuration_for_runs, runs_every
        self._lock = threading.Lock()

    def run(self, writers: int, calls: int, tag: str, timeout: float = 120) -> Outcome:
        outcome = Outcome()
        start = threading.Barrier(writers)  # all writers fire together: the point is the burst
        threads = [threading.Thread(target=self._writer, args=(i, calls, tag, i % 2 == 1, start, outcome),
                                    daemon=True) for i in range(writers)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.1, timeout - (time.monotonic() - began)))
        outcome.seconds = time.monotonic() - began
        assert not any(t.is_alive() for t in threads), f"writers still running after {timeout}s"
        return outcome

    def _writer(self, index: int, calls: int, tag: str, fresh: bool, start: threading.Barrier,
                outcome: Outcome) -> None:
        connection: Optional[http.client.HTTPConnection] = None
        start.wait()
        for call in range(calls):
            kind, body = self._body(index, call, tag)
            if connection is None or fresh:
                if connection is not None:
                    connection.close()
                connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                connection.request("POST", f"{self.prefix}/lm/{kind}", json.dumps(body), self.headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as err:
                connection.close()
                connection = None
                self._record(outcome, error=f"{kind} #{index}.{call}: {err!r}")
                continue
            if response.status in (201, 202):
                self._record(outcome, kind=kind, created=json.loads(payload)["id"])
            else:
                self._record(outcome, refused=f"{kind} #{index}.{call}: {response.status} {payload[:200]!r}")
        if connection is not None:
            connection.close()

    def _body(self, index: int, call: int, tag: str) -> tuple:
        name = f"{tag}-{index}-{call}"
        if self.run_configuration and self.runs_every and call % self.runs_every == self.runs_every - 1:
            return "executions", {"configurationId": self.run_configuration}
        if call % 2 == 0:
            return "artifacts", {"name": name, "kind": "other", "url": f"ai://default/{tag}/{name}",
                                 "scenarioId": self.scenario, "labels": [{"key": "ext.ai.sap.com/w", "value": tag}]}
        return "configurations", {"name": name, "scenarioId": self.scenario, "executableId": self.executable,
                                  "parameterBindings": [], "inputArtifactBindings": []}

    def _record(self, outcome: Outcome, *, error: str = "", refused: str = "", kind: str = "",
                created: str = "") -> None:
        with self._lock:
            outcome.calls += 1
            if error:
                outcome.connection_errors.append(error)
            elif refused:
                outcome.refused.append(refused)
            else:
                outcome.created.setdefault(kind, []).append(created)
