"""Local engine: time from POST /v2/lm/executions to COMPLETED for trivial workflows, and the cost of one step.

Runs in-process (the API through chalice's test client, moto in memory, the real local engine and host
processes), so the figures are the engine's own overhead: the mount-namespace sandbox, log capture, status
writes. Prints figures; never fails on time.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                    ("AWS_DEFAULT_REGION", "eu-central-1")):
    os.environ.setdefault(name, value)

ROUNDS = 7


def workflow(name: str, steps: int) -> dict:
    return {"metadata": {"name": name}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "steps": [[{"name": f"s{i}", "template": "noop"}] for i in range(steps)]},
        {"name": "noop", "container": {"image": "none", "command": ["true"]}}]}}


def main() -> int:
    import logging

    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters.local.emulator import provision
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.adapters.local.runner import isolation_mode
    from chalicelib.settings import Settings
    from tests.integration.test_local_engine import seed_template
    from tests.support.api_client import Api

    logging.getLogger("aicore").setLevel(logging.WARNING)  # the per-request log would drown the figures
    home = Path(tempfile.mkdtemp(prefix="aicore-bench-"))
    settings = Settings(home=home, stage="tst", aws_endpoint_url=None)
    with mock_aws():
        provision(settings)
        c = bootstrap.configure(settings)
        engine = use_local_engine(c)
        api = Api(app, settings)
        figures = {}
        for steps in (1, 3):
            name = f"bench-{steps}"
            seed_template(c.store, workflow(name, steps))
            config = api.call("POST", "/v2/lm/configurations", {"name": name, "scenarioId": "scn-1",
                                                                "executableId": name}).json["id"]
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                execution = api.call("POST", "/v2/lm/executions", {"configurationId": config}).json["id"]
                while api.call("GET", f"/v2/lm/executions/{execution}").json["status"] not in ("COMPLETED", "DEAD"):
                    time.sleep(0.002)
                times.append(time.perf_counter() - started)
            figures[steps] = statistics.median(times)
        engine.shutdown()
    per_step = (figures[3] - figures[1]) / 2
    print(f"isolation mode: {isolation_mode()}")
    print(f"POST execution -> COMPLETED, 1 trivial step:  {figures[1] * 1000:7.1f} ms (median of {ROUNDS})")
    print(f"POST execution -> COMPLETED, 3 trivial steps: {figures[3] * 1000:7.1f} ms (median of {ROUNDS})")
    print(f"overhead per step: {per_step * 1000:.1f} ms (goal < 100 ms; Kubeflow local runner 440 ms, "
          "Argo on a cluster ~10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
