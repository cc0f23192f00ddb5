"""Local engine at fan-out: a `withItems` loop of 100 trivial steps with `parallelism: 10`, from POST
/v2/lm/executions to COMPLETED, and the engine's overhead per step.

The peer, run in the same process: the same 100 trivial commands as plain host processes, 10 at a time, with
no engine, sandbox, logs or status writes. Overhead per step = (fan-out - peer) / 100, the wall time the
engine adds per step (amortized over the 10 slots); per slot it is 10 times that. Prints figures; never fails
on time. Goals (issue 7): fan-out under 5 s, overhead under 25 ms per step.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                    ("AWS_DEFAULT_REGION", "eu-central-1")):
    os.environ.setdefault(name, value)

ROUNDS, STEPS, PARALLELISM = 3, 100, 10


def fan_out(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"entrypoint": "main", "parallelism": PARALLELISM, "templates": [
        {"name": "main", "steps": [[{"name": "each", "template": "noop", "withSequence": {"count": str(STEPS)},
                                     "arguments": {"parameters": [{"name": "n", "value": "{{item}}"}]}}]]},
        {"name": "noop", "inputs": {"parameters": [{"name": "n"}]},
         "container": {"image": "none", "command": ["true"], "args": ["{{inputs.parameters.n}}"]}}]}}


def peer() -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(PARALLELISM) as pool:
        list(pool.map(lambda n: subprocess.run(["true", str(n)], check=True), range(STEPS)))
    return time.perf_counter() - started


def main() -> int:
    import logging

    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters.local import moto_fast_reads
    from chalicelib.adapters.local.emulator import provision
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.adapters.local.runner import isolation_mode
    from chalicelib.settings import Settings
    from tests.support.api_client import Api
    from tests.support.local_engine import seed_template

    logging.getLogger("aicore").setLevel(logging.WARNING)
    home = Path(tempfile.mkdtemp(prefix="aicore-bench-"))
    settings = Settings(home=home, stage="tst", aws_endpoint_url=None)
    with mock_aws():
        moto_fast_reads.install()  # as the local stack's emulator does
        provision(settings)
        c = bootstrap.configure(settings)
        engine = use_local_engine(c)
        api = Api(app, settings)
        seed_template(c.store, fan_out("fan-out"))
        config = api.call("POST", "/v2/lm/configurations", {"name": "fan-out", "scenarioId": "scn-1",
                                                            "executableId": "fan-out"}).json["id"]
        times, peers = [], []
        for _ in range(ROUNDS):
            peers.append(peer())
            started = time.perf_counter()
            execution = api.call("POST", "/v2/lm/executions", {"configurationId": config}).json["id"]
            while (body := api.call("GET", f"/v2/lm/executions/{execution}").json)["status"] not in (
                    "COMPLETED", "DEAD"):
                time.sleep(0.05)  # a client polling 20 times a second
            times.append(time.perf_counter() - started)
            if body["status"] != "COMPLETED":
                print(f"the fan-out ended {body['status']}: {body.get('statusMessage')}")
                return 1
        engine.shutdown()
    total, plain = statistics.median(times), statistics.median(peers)
    print(f"isolation mode: {isolation_mode()}")
    print(f"withItems fan-out, {STEPS} trivial steps, parallelism {PARALLELISM}: POST -> COMPLETED "
          f"{total:6.2f} s (median of {ROUNDS}; goal < 5 s)")
    print(f"peer: the same {STEPS} commands as plain processes, {PARALLELISM} at a time: {plain:6.2f} s")
    print(f"engine overhead per step: {(total - plain) / STEPS * 1000:6.1f} ms amortized (goal < 25 ms), "
          f"{(total - plain) / STEPS * PARALLELISM * 1000:6.1f} ms per step within its slot; "
          f"ratio fan-out/peer {total / plain:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
