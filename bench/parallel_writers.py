"""Parallel writers against the local stack's HTTP front: W threads each making N creates (artifacts and
configurations, every 20th call an execution), half on one kept-alive connection, half on a fresh connection
per call. Prints connection errors, refusals and creates per second for each W (no pass/fail).

usage: python bench/parallel_writers.py [N] [W ...]      (default: 20 calls, writers 16 64)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conformance.conftest import core_client  # noqa: E402
from tests.support.conformance import (SCENARIO, TRAIN, bearer, images_yaml, onboard,  # noqa: E402
                                       provisioned_group, suite_templates, training_configuration)
from tests.support.parallel_writers import Writers  # noqa: E402
from tests.support.stack_process import StackProcess  # noqa: E402

RG = "bench-writers"


def main(calls: int, counts: list) -> None:
    with tempfile.TemporaryDirectory(prefix="aicore-bench-") as home:
        (Path(home) / "images.yaml").write_text(images_yaml())
        stack = StackProcess(Path(home)).start()
        try:
            core = core_client(stack.exports)
            onboard(core, Path(home) / "repo", suite_templates(), "bench-repo", "bench-app")
            provisioned_group(core, RG)
            run_config = training_configuration(core, RG, "bench writers", env="quick")
            writers = Writers(stack.exports["AICORE_BASE_URL"], bearer(stack.exports), RG, SCENARIO, TRAIN,
                              run_config, runs_every=20)
            for count in counts:
                outcome = writers.run(count, calls, f"w{count}", timeout=600)
                print(f"{count:3d} writers x {calls} calls: {outcome.summary()}; "
                      f"{outcome.calls / outcome.seconds:.0f} calls/s")
                for line in outcome.connection_errors[:5] + outcome.refused[:5]:
                    print("   ", line)
        finally:
            stack.stop()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 20, args[1:] or [16, 64])
