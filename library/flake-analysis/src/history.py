"""A test's run history: its JSON shape, its validation, and the features the model reads from it.

A history is a list of runs, oldest first. One run is one CI job that ran the test once (its first attempt) and,
if the job retries failures, re-ran it on the same revision:

    {"revision": "9f3a2c1", "outcome": "fail", "duration_s": 12.4, "retries": ["pass"]}

- `revision` (string): the commit the job tested.
- `outcome` ("pass" | "fail"): the first attempt's result.
- `duration_s` (number >= 0): the first attempt's wall time in seconds.
- `retries` (optional list of "pass" | "fail"): the results of the job's automatic re-runs, in order.

The features are the evidence a reviewer would look at: does the test flip between pass and fail, does it pass and
fail on the SAME revision (the code did not change, the result did), does a retry turn a failure into a pass, are
the failures one contiguous streak (a real breakage) or scattered, and how much does its duration wander.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy import stats

OUTCOMES = ("pass", "fail")
MAX_RUNS = 5000  # a predictor request bigger than this is refused rather than left to eat the replica's memory

# The model's inputs, in its column order (the model card and the evidence use these names).
FEATURES = ("failure_rate", "flip_rate", "revision_flip_share", "retry_pass_rate", "failure_clustering",
            "duration_cv")


class HistoryError(ValueError):
    """A history that does not have the documented shape; the message names the offending field."""


@dataclass(frozen=True)
class Run:
    revision: str
    outcome: str
    duration_s: float
    retries: Tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"

    @property
    def passed_on_retry(self) -> bool:
        return self.failed and "pass" in self.retries


def parse_runs(value, where: str = "runs") -> List[Run]:
    """Validate the JSON shape above; raise HistoryError naming the first wrong field."""
    if not isinstance(value, list) or not value:
        raise HistoryError(f"{where} must be a non-empty list of runs")
    if len(value) > MAX_RUNS:
        raise HistoryError(f"{where} has {len(value)} runs; at most {MAX_RUNS} are accepted")
    return [_parse_run(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _parse_run(item, where: str) -> Run:
    if not isinstance(item, dict):
        raise HistoryError(f'{where} must be an object like {{"revision": "9f3a2c1", "outcome": "pass", '
                           f'"duration_s": 1.5}}')
    revision, outcome, duration = item.get("revision"), item.get("outcome"), item.get("duration_s")
    if not isinstance(revision, str) or not revision:
        raise HistoryError(f"{where}.revision must be a non-empty string (the commit the run tested)")
    if outcome not in OUTCOMES:
        raise HistoryError(f'{where}.outcome must be "pass" or "fail"')
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not duration >= 0 \
            or duration == float("inf"):
        raise HistoryError(f"{where}.duration_s must be a number of seconds >= 0")
    retries = item.get("retries", [])
    if not isinstance(retries, list) or any(r not in OUTCOMES for r in retries):
        raise HistoryError(f'{where}.retries must be a list of "pass" or "fail" (the re-runs\' results)')
    return Run(revision, outcome, float(duration), tuple(retries))


def counts(runs: Sequence[Run]) -> Dict[str, int]:
    """The plain counts behind the features (shown as evidence next to them)."""
    failed = np.array([r.failed for r in runs])
    by_revision: Dict[str, set] = {}
    for run in runs:
        by_revision.setdefault(run.revision, set()).update((run.outcome, *run.retries))
    return {
        "runs": len(runs),
        "failures": int(failed.sum()),
        "flips": int(np.count_nonzero(np.diff(failed.astype(int)))),
        "revisions": len(by_revision),
        "revisions_with_pass_and_fail": sum(1 for seen in by_revision.values() if len(seen) == 2),
        "failures_passed_on_retry": sum(1 for r in runs if r.passed_on_retry),
        "longest_failure_streak": _longest_true_streak(failed),
    }


def features(runs: Sequence[Run]) -> Dict[str, float]:
    """The model's inputs (all in [0, 1] except duration_cv), computed from the counts above."""
    c = counts(runs)
    durations = np.array([r.duration_s for r in runs])
    failures = c["failures"]
    return {
        "failure_rate": failures / c["runs"],
        "flip_rate": c["flips"] / (c["runs"] - 1) if c["runs"] > 1 else 0.0,
        "revision_flip_share": c["revisions_with_pass_and_fail"] / c["revisions"],
        "retry_pass_rate": c["failures_passed_on_retry"] / failures if failures else 0.0,
        # 1.0: every failure in one streak (a breakage until a fix); near 0: failures scattered among passes.
        "failure_clustering": c["longest_failure_streak"] / failures if failures else 0.0,
        # The coefficient of variation; a constant (or all-zero) duration has none.
        "duration_cv": float(stats.variation(durations)) if len(runs) > 1 and durations.mean() > 0 else 0.0,
    }


def feature_matrix(histories: Sequence[Sequence[Run]]) -> np.ndarray:
    rows = [features(runs) for runs in histories]
    return np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)


def _longest_true_streak(flags: np.ndarray) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


# The bundled dataset: one CSV row per run, grouped by test (see generate_data.py).
DATA_COLUMNS = ("test", "kind", "revision", "outcome", "duration_s", "retries")


@dataclass
class LabelledHistory:
    test: str
    kind: str  # healthy | flaky | failing: how generate_data.py made it
    runs: List[Run]

    @property
    def flaky(self) -> int:
        return int(self.kind == "flaky")


def read_dataset(source: Path) -> List[LabelledHistory]:
    """Every *.csv under `source` (a file or a folder), in file and row order."""
    source = Path(source)
    files = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    histories: Dict[str, LabelledHistory] = {}
    for path in files:
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                history = histories.setdefault(row["test"], LabelledHistory(row["test"], row["kind"], []))
                retries = tuple(row["retries"].split(";")) if row["retries"] else ()
                history.runs.append(Run(row["revision"], row["outcome"], float(row["duration_s"]), retries))
    if not histories:
        raise SystemExit(f"no labelled histories found in {source}")
    return list(histories.values())


def write_dataset(path: Path, histories: Sequence[LabelledHistory]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DATA_COLUMNS)
        for history in histories:
            for run in history.runs:
                writer.writerow([history.test, history.kind, run.revision, run.outcome, f"{run.duration_s:.2f}",
                                 ";".join(run.retries)])
