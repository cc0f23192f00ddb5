"""The inference proxy's added latency: the same predictor called directly and through
{base}/v2/inference/deployments/{id}/... (token check, ownership lookup, relay), median of N requests each.

One run, figures only (no pass/fail). Starts the local stack in a subprocess, serves the test predictor
(tests/fixtures/serving) as a deployment through the official SDK, then alternates direct and proxied calls on
kept-alive connections.   usage: python bench/inference_proxy.py [N]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.conformance.conftest import core_client  # noqa: E402
from tests.support.conformance import bearer, onboard, provisioned_group, suite_templates  # noqa: E402
from tests.support.serving_conformance import map_serve_image, served_configuration  # noqa: E402
from tests.support.stack_process import StackProcess, wait_for  # noqa: E402

RG = "bench"


def timed(session: requests.Session, url: str, headers: dict) -> float:
    started = time.perf_counter()
    response = session.get(url, headers=headers, timeout=10)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="aicore-bench-") as home:
        stack = StackProcess(Path(home)).start()
        try:
            core = core_client(stack.exports)
            map_serve_image(stack.home)
            onboard(core, Path(home) / "repo", suite_templates(), "bench-repo", "bench-app")
            provisioned_group(core, RG)
            deployment = core.deployment.create(served_configuration(core, RG, "bench", "bench-model"),
                                                resource_group=RG)
            wait_for(lambda: core.deployment.get(deployment.id, resource_group=RG).status.value == "RUNNING",
                     timeout=60, what="deployment running")
            proxied = core.deployment.get(deployment.id, resource_group=RG).deployment_url + "/v2/greet"
            headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}
            port = requests.get(proxied, headers=headers, timeout=10).json()["port"]
            direct = f"http://127.0.0.1:{port}/v2/greet"
            via, straight = requests.Session(), requests.Session()
            for _ in range(50):  # warm up both paths (connections, caches)
                timed(via, proxied, headers)
                timed(straight, direct, {})
            proxy_times, direct_times = [], []
            for _ in range(n):
                proxy_times.append(timed(via, proxied, headers))
                direct_times.append(timed(straight, direct, {}))
            p, d = statistics.median(proxy_times) * 1000, statistics.median(direct_times) * 1000
            p95 = sorted(proxy_times)[int(0.95 * n) - 1] * 1000
            print(f"inference proxy, {n} GET requests each way (kept-alive connections):")
            print(f"  direct to the predictor : median {d:.2f} ms")
            print(f"  through the proxy       : median {p:.2f} ms (p95 {p95:.2f} ms)")
            print(f"  added by the proxy      : median {p - d:.2f} ms (goal: under 2 ms)")
        except Exception:
            print(stack.output()[-3000:], file=sys.stderr)
            raise
        finally:
            stack.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
