"""Metrics ingestion and reads on the real local stack (a subprocess, as `make run` starts it), over HTTP.

Prints three figures: metrics/s when writing batches of 100 (PATCH /v2/lm/metrics, one client, keep-alive),
the median of GET /v2/lm/executions/{id}, and as the peer the emulator's own median for a DynamoDB key lookup
(GetItem over HTTP) that such a GET cannot beat by much. Also the stack's own CPU time per request, which
stays meaningful on a busy machine where wall-clock medians do not. Never fails on time.
"""
from __future__ import annotations

import base64
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_content import TEMPLATE  # noqa: E402  (beside this script: its folder is on the path)

BATCHES, READS, LOOKUPS = 30, 300, 300


def main() -> int:
    import boto3
    import requests

    from tests.support.git_repo import commit_tree
    from tests.support.stack_process import StackProcess, wait_for

    home = Path(tempfile.mkdtemp(prefix="aicore-bench-metrics-"))
    (home / "image").mkdir()
    (home / "images.yaml").write_text(f"images:\n  bench/noop: {home / 'image'}\n")
    stack = StackProcess(home).start()
    try:
        ex = stack.exports
        http = requests.Session()
        token = http.post(ex["AICORE_AUTH_URL"], data={"grant_type": "client_credentials",
                                                        "client_id": ex["AICORE_CLIENT_ID"],
                                                        "client_secret": ex["AICORE_CLIENT_SECRET"]}).json()
        http.headers.update({"Authorization": f"Bearer {token['access_token']}", "AI-Resource-Group": "default"})
        base = ex["AICORE_BASE_URL"]
        execution_id = _an_execution(http, base, home, commit_tree, wait_for)

        cpu = _cpu_seconds(stack.proc.pid)
        batch_times = []
        for batch in range(BATCHES):
            body = {"executionId": execution_id, "metrics": [
                {"name": f"m{i % 10}", "value": i * 0.5, "step": batch * 100 + i} for i in range(100)]}
            started = time.perf_counter()
            response = http.patch(f"{base}/lm/metrics", json=body)
            batch_times.append(time.perf_counter() - started)
            assert response.status_code == 204, response.text
        batch_cpu = (_cpu_seconds(stack.proc.pid) - cpu) / BATCHES
        stored = http.get(f"{base}/lm/metrics", params={"executionIds": execution_id}).json()
        assert len(stored["resources"][0]["metrics"]) == BATCHES * 100, "metrics were lost"

        cpu = _cpu_seconds(stack.proc.pid)
        reads = _timed(READS, lambda: http.get(f"{base}/lm/executions/{execution_id}").raise_for_status())
        read_cpu = (_cpu_seconds(stack.proc.pid) - cpu) / READS
        emulator = next(l.split(": ", 1)[1].strip() for l in stack.lines if "AWS emulator" in l)
        ddb = boto3.client("dynamodb", endpoint_url=emulator, region_name="eu-central-1",
                           aws_access_key_id="bench", aws_secret_access_key="bench")
        tenant = json.loads(base64.urlsafe_b64decode(token["access_token"].split(".")[1] + "=="))["zid"]
        key = {"pk": {"S": f"T#{tenant}#RG#default"}, "sk": {"S": f"EXEC#{execution_id}"}}
        lookups = _timed(LOOKUPS, lambda: ddb.get_item(TableName="aicore-dev-records", Key=key,
                                                       ConsistentRead=True)["Item"])
    finally:
        stack.stop()
    batch = statistics.median(batch_times)
    print(f"metrics ingestion, batches of 100 (PATCH /v2/lm/metrics): {100 / batch:8.0f} metrics/s "
          f"(median batch {batch * 1000:.1f} ms of {BATCHES}; stack CPU {batch_cpu * 1000:.1f} ms a batch; "
          "goal 5,000/s, MLflow ~1,600/s)")
    print(f"GET /v2/lm/executions/{{id}}: {statistics.median(reads) * 1000:6.1f} ms median of {READS} "
          f"(stack CPU {read_cpu * 1000:.1f} ms a request; goal < 10 ms)")
    print(f"peer: emulator GetItem over HTTP: {statistics.median(lookups) * 1000:6.1f} ms median of {LOOKUPS}")
    return 0


def _an_execution(http, base: str, home: Path, commit_tree, wait_for) -> str:
    repo = home / "repo"
    commit_tree(repo, {"workflows/train.yaml": TEMPLATE})
    http.post(f"{base}/admin/repositories", json={"name": "bench", "url": repo.as_uri(), "username": "git",
                                                   "password": "unused"}).raise_for_status()
    http.post(f"{base}/admin/applications", json={"applicationName": "bench", "repositoryUrl": repo.as_uri(),
                                                   "revision": "HEAD", "path": "workflows"}).raise_for_status()
    http.post(f"{base}/admin/applications/bench/refresh")
    wait_for(lambda: http.get(f"{base}/lm/scenarios/bench/executables").json().get("count"), timeout=60,
             what="bench template synced")
    config = http.post(f"{base}/lm/configurations", json={"name": "bench", "scenarioId": "bench",
                                                          "executableId": "bench-train"}).json()["id"]
    return http.post(f"{base}/lm/executions", json={"configurationId": config}).json()["id"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(rounds: int, call) -> list:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    sys.exit(main())
