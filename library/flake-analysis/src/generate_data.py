"""Write the bundled dataset: labelled run histories of simulated CI tests (seeded: the same file every time).

    python generate_data.py --output ../data/histories.csv

Three kinds of test, mixed as a large CI sees them:

- healthy: passes; the shared runners fail it now and then (a lost node, a full disk), and a retry then passes:
  one such failure looks like a flake, and that is the point (the model must not call every retried failure flaky).
- flaky: on the same code it fails with its own probability (a race, an order dependency, a timeout), from rarely
  (a few percent: some of these never fail in a short history and cannot be told from healthy ones) to often.
  Timing-dependent ones also vary in duration, and their failures run long (they wait for the timeout).
- failing: a commit breaks it and it fails on every run (retries fail too, and fail fast) until a later commit fixes
  it, or it is still broken when the history ends; around the breakage it behaves like a healthy test.

Each revision is tested by one to three jobs (the pull request, the merge, a nightly), and about half of the
pipelines retry a failed test up to twice on the same revision.
"""
from __future__ import annotations

import argparse
import math
import random
from pathlib import Path
from typing import List

from history import LabelledHistory, Run, write_dataset

KINDS = (("healthy", 0.5), ("flaky", 0.3), ("failing", 0.2))


def simulate(rng: random.Random, index: int) -> LabelledHistory:
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    n_runs = rng.randint(12, 36)
    retries_allowed = 2 if rng.random() < 0.5 else 0
    base = math.exp(rng.gauss(math.log(4.0), 1.0))  # seconds: most tests take 1-10 s, some a minute
    infra_failure = rng.uniform(0.0, 0.02)  # every test meets the runners' own failures
    jitter = rng.uniform(0.03, 0.3)  # shared runners make every duration wander a little, some a lot
    flake, timing = 0.0, False
    if kind == "flaky":
        flake = math.exp(rng.uniform(math.log(0.04), math.log(0.5)))
        timing = rng.random() < 0.5
        if timing:
            jitter += rng.uniform(0.1, 0.4)
    broken_from = broken_until = -1
    if kind == "failing":
        broken_from = rng.randint(0, int(n_runs * 0.7))
        broken_until = rng.randint(broken_from + 3, n_runs + 10)  # past the end: still broken

    runs: List[Run] = []
    revision = _sha(rng)
    jobs_left = rng.choice((1, 1, 1, 2, 2, 3))
    for position in range(n_runs):
        if jobs_left == 0:
            revision, jobs_left = _sha(rng), rng.choice((1, 1, 1, 2, 2, 3))
        jobs_left -= 1
        broken = broken_from <= position < broken_until
        p_fail = 0.98 if broken else 1 - (1 - flake) * (1 - infra_failure)

        def attempt():
            return "fail" if rng.random() < p_fail else "pass"

        outcome = attempt()
        retries: List[str] = []
        while outcome == "fail" and retries_allowed and len(retries) < retries_allowed and \
                (not retries or retries[-1] == "fail"):
            retries.append(attempt())
        duration = base * math.exp(rng.gauss(0.0, jitter))
        if outcome == "fail":
            duration *= 0.3 if broken else (rng.uniform(1.5, 3.0) if timing else rng.uniform(0.8, 1.2))
        runs.append(Run(revision, outcome, round(duration, 2), tuple(retries)))
    return LabelledHistory(f"test_{index:04d}", kind, runs)


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(28):07x}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "data" / "histories.csv"))
    parser.add_argument("--tests", type=int, default=900)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    histories = [simulate(rng, i) for i in range(args.tests)]
    write_dataset(Path(args.output), histories)
    kinds = {k: sum(h.kind == k for h in histories) for k, _ in KINDS}
    print(f"generate: {len(histories)} histories ({kinds}), {sum(len(h.runs) for h in histories)} runs "
          f"-> {args.output}")


if __name__ == "__main__":
    main()
