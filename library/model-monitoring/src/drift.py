"""The drift step: read the reference data and a window of recorded traffic, compare them (drift_stats.py), print
the report and log it as execution metrics.

Reference: CSV (header row) or JSON lines files under --reference. Traffic: the JSON lines the platform records for
an opted-in deployment (ai://default/monitoring/<deploymentId>/<day>/*.jsonl, one
{"time", "status", "request": {"instances": [...]}, "response": {"predictions": [...]}} per line) under --traffic.
An instance is a text (a string), or an object whose --input-field holds the text and whose numeric fields are
features; a prediction is a value, or an object whose --prediction-field holds it.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from drift_stats import Thresholds, drift_report, numeric_checks, prediction_check, text_checks


def read_reference(folder: Path) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else [folder]:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                rows += [{k: _number_or_text(v) for k, v in row.items()} for row in csv.DictReader(handle)]
        elif path.suffix in (".jsonl", ".json"):
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _number_or_text(value: str) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def read_traffic(folder: Path, since: Optional[datetime]) -> List[Tuple[Any, Any]]:
    """(instance, prediction) pairs of successful predictions recorded at or after `since`.

    Two layouts: the local stack's proxy writes one line per exchange (`*.jsonl`, request and response together);
    on a cluster the collector of KServe's payload logger writes each half on its own (`*.request.json`,
    `*.response.json`, the same `id`), which are joined here."""
    records = []
    for path in sorted(folder.rglob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records += _joined_halves(folder)
    pairs: List[Tuple[Any, Any]] = []
    for record in records:
        if record.get("status") != 200 or (since and _time(record.get("time")) < since):
            continue
        instances = (record.get("request") or {}).get("instances")
        predictions = (record.get("response") or {}).get("predictions")
        if isinstance(instances, list) and isinstance(predictions, list) and len(instances) == len(predictions):
            pairs += list(zip(instances, predictions))
    return pairs


def _joined_halves(folder: Path) -> List[Dict[str, Any]]:
    """A request and its response as one record in the proxy's shape; a half whose other half is missing is left out
    (an error's response has no `predictions` list, so the reader skips it like the proxy's non-200 lines)."""
    halves: Dict[str, Dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.json")):
        if not path.name.endswith((".request.json", ".response.json")):
            continue
        half = json.loads(path.read_text(encoding="utf-8"))
        entry = halves.setdefault(str(half.get("id")), {"status": 200})
        entry[half.get("part")] = half.get("body")
        if half.get("part") == "request":
            entry["time"] = half.get("time")
    return [r for r in halves.values() if "request" in r and "response" in r]


def _time(text: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)


def _text_of(instance: Any, field: str) -> Optional[str]:
    if isinstance(instance, str):
        return instance
    value = instance.get(field) if isinstance(instance, dict) else None
    return value if isinstance(value, str) else None


def _numeric(rows: List[Any], skip: set) -> Dict[str, List[float]]:
    columns: Dict[str, List[float]] = {}
    for row in rows:
        if isinstance(row, dict):
            for key, value in row.items():
                if key not in skip and isinstance(value, (int, float)) and not isinstance(value, bool):
                    columns.setdefault(key, []).append(float(value))
    return columns


def compare(reference: List[Dict[str, Any]], pairs: List[Tuple[Any, Any]], input_field: str, label_field: str,
            prediction_field: str, t: Thresholds):
    instances = [i for i, _ in pairs]
    predictions = [p.get(prediction_field) if isinstance(p, dict) else p for _, p in pairs]
    checks = []
    ref_texts = [r[input_field] for r in reference if isinstance(r.get(input_field), str)]
    win_texts = [x for x in (_text_of(i, input_field) for i in instances) if x is not None]
    if ref_texts and win_texts:
        checks += text_checks(ref_texts, win_texts, t)
    checks += numeric_checks(_numeric(reference, {label_field, input_field}), _numeric(instances, set()), t)
    labels = [r[label_field] for r in reference if r.get(label_field) not in (None, "")]
    if labels and predictions:
        checks.append(prediction_check(labels, [p for p in predictions if p is not None], t))
    return drift_report(len(pairs), checks, t)


def log_metrics(values: Dict[str, float]) -> None:
    """Report metrics to the execution when running on AI Core (or this project's local engine)."""
    try:
        from ai_core_sdk.models import Metric
        from ai_core_sdk.tracking import Tracking
    except ImportError:
        print("metrics (ai-core-sdk not installed):", values)
        return
    now = datetime.now(timezone.utc)
    Tracking().log_metrics(metrics=[Metric(name=re.sub(r"[^\w.-]", "_", k), value=float(v), timestamp=now, step=0)
                                    for k, v in values.items()])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True, type=Path)
    parser.add_argument("--traffic", required=True, type=Path)
    parser.add_argument("--input-field", default="text")
    parser.add_argument("--label-field", default="label", help="the reference's column the model predicts")
    parser.add_argument("--prediction-field", default="label", help="key of an object prediction")
    parser.add_argument("--window-days", type=float, default=0, help="only traffic of the last N days (0: all)")
    parser.add_argument("--alpha", type=float, default=Thresholds.alpha)
    parser.add_argument("--oov-threshold", type=float, default=Thresholds.oov_threshold)
    parser.add_argument("--psi-threshold", type=float, default=Thresholds.psi_threshold)
    parser.add_argument("--min-samples", type=int, default=Thresholds.min_samples)
    parser.add_argument("--fail-on-drift", default="false", help="true: exit 1 when drift is flagged")
    args = parser.parse_args(argv)
    t = Thresholds(args.alpha, args.oov_threshold, args.psi_threshold, args.min_samples)
    since = datetime.now(timezone.utc) - timedelta(days=args.window_days) if args.window_days > 0 else None
    reference = read_reference(args.reference)
    pairs = read_traffic(args.traffic, since)
    print(f"drift: {len(reference)} reference rows, {len(pairs)} recorded predictions in the window", flush=True)
    report = compare(reference, pairs, args.input_field, args.label_field, args.prediction_field, t)
    for check in report.checks:
        p = f" p={check.p_value:.4g}" if check.p_value is not None else ""
        extra = " ".join(f"{k}={v:.4g}" for k, v in check.extra.items())
        print(f"drift: {check.name}: statistic={check.statistic:.4f}{p} drift={check.drifted} {extra}", flush=True)
    print(f"drift: score={report.score:.4f} detected={report.drifted} samples={report.samples}", flush=True)
    log_metrics(report.metrics())
    return 1 if report.drifted and args.fail_on_drift.lower() == "true" else 0


if __name__ == "__main__":
    sys.exit(main())
