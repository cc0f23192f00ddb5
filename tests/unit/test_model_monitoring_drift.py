"""The model-monitoring package's drift computation (library/model-monitoring/src): a shifted window is flagged, an
unshifted one is not, for texts, numeric features and predictions; the step reads the recorded layout."""
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[2] / "library" / "model-monitoring" / "src"
sys.path.insert(0, str(SRC))
import drift  # noqa: E402
from drift_stats import Thresholds, drift_report, numeric_checks, prediction_check, text_checks  # noqa: E402

T = Thresholds()
PRODUCTS = ["printer", "camera", "charger", "headphones", "laptop", "kettle", "monitor", "speaker"]
GOOD = ["works perfectly", "is excellent", "exceeded my expectations", "is great value"]
BAD = ["is terrible", "stopped working after a week", "broke on day one", "is a waste of money"]


def reviews(n, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(["positive", "negative"])
        rows.append({"text": f"The {rng.choice(PRODUCTS)} {rng.choice(GOOD if label == 'positive' else BAD)}.",
                     "label": label})
    return rows


SHIFTED_TEXTS = ["kernel oops in ext4 journal replay after power loss on node seventeen of the cluster",
                 "quarterly revenue guidance revised downward amid currency headwinds and supply constraints",
                 "the orchestra rehearsed the second movement twice before the conductor finally arrived late"]


def test_unshifted_texts_are_not_flagged_and_shifted_ones_are():
    reference = [r["text"] for r in reviews(200, 1)]
    same = text_checks(reference, [r["text"] for r in reviews(60, 2)], T)
    assert not any(c.drifted for c in same)
    shifted = text_checks(reference, [random.Random(3).choice(SHIFTED_TEXTS) for _ in range(60)], T)
    by_name = {c.name: c for c in shifted}
    assert by_name["text_length"].drifted and by_name["text_length"].p_value < 1e-6
    assert by_name["oov"].drifted and by_name["oov"].extra["rate"] > 0.5


def test_numeric_features_by_kolmogorov_smirnov():
    rng = np.random.default_rng(0)
    reference = {"age": rng.normal(40, 10, 500).tolist(), "income": rng.normal(50, 5, 500).tolist()}
    same = {"age": rng.normal(40, 10, 200).tolist(), "income": rng.normal(50, 5, 200).tolist()}
    moved = {"age": rng.normal(40, 10, 200).tolist(), "income": rng.normal(58, 5, 200).tolist()}
    assert not any(c.drifted for c in numeric_checks(reference, same, T))
    checks = {c.name: c for c in numeric_checks(reference, moved, T)}
    assert checks["feature_income"].drifted and not checks["feature_age"].drifted


def test_prediction_distribution_shift_by_chi_square_and_psi():
    reference = ["positive"] * 100 + ["negative"] * 100
    assert not prediction_check(reference, ["positive"] * 28 + ["negative"] * 32, T).drifted
    shifted = prediction_check(reference, ["positive"] * 5 + ["negative"] * 55, T)
    assert shifted.drifted and shifted.extra["psi"] > T.psi_threshold and shifted.p_value < T.alpha
    assert shifted.extra["share_negative"] == pytest.approx(55 / 60)


def test_too_few_samples_are_never_flagged():
    checks = text_checks(["a b"] * 50, SHIFTED_TEXTS, T)
    assert any(c.drifted for c in checks)
    assert not drift_report(3, checks, T).drifted


def window(folder: Path, pairs, day="2026-12-04", status=200, name="x"):
    path = folder / day / f"20261204T000000.000000Z-{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"time": f"{day}T00:00:00Z", "status": status, "request": {"instances": [text]},
                         "response": {"predictions": [label]}}) for text, label in pairs]
    path.write_text("\n".join(lines) + "\n")


def reference_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["text,label"] + [f"{r['text']},{r['label']}" for r in reviews(200, 4)]
    (folder / "reviews.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_the_step_reads_the_recorded_layout_and_logs_the_report(tmp_path, monkeypatch, capsys):
    reference = reference_csv(tmp_path / "reference")
    window(tmp_path / "same", [(r["text"], r["label"]) for r in reviews(60, 5)])
    window(tmp_path / "moved", [(t, "negative") for t in SHIFTED_TEXTS * 20])
    window(tmp_path / "moved", [("The printer is great value.", "positive")] * 5, status=500, name="e")
    logged = []
    monkeypatch.setattr(drift, "log_metrics", logged.append)
    for name, expect in (("same", False), ("moved", True)):
        assert drift.main(["--reference", str(reference), "--traffic", str(tmp_path / name)]) == 0
        out = capsys.readouterr().out
        assert f"detected={expect}" in out and "samples=60" in out  # the 500s are not read
        metrics = logged.pop()
        assert metrics["drift_detected"] == float(expect) and metrics["drift_samples"] == 60
        assert {"text_length_p_value", "oov_rate", "prediction_psi", "drift_score"} <= set(metrics)


def test_fail_on_drift_makes_the_step_fail(tmp_path, monkeypatch):
    monkeypatch.setattr(drift, "log_metrics", lambda values: None)
    window(tmp_path / "w", [(t, "negative") for t in SHIFTED_TEXTS * 20])
    assert drift.main(["--reference", str(reference_csv(tmp_path / "r")), "--traffic", str(tmp_path / "w"),
                       "--fail-on-drift", "true"]) == 1


def test_window_days_keeps_only_recent_traffic(tmp_path):
    window(tmp_path, [(t, "negative") for t in SHIFTED_TEXTS * 20], day="2020-01-01")
    from datetime import datetime, timedelta, timezone

    since = datetime.now(timezone.utc) - timedelta(days=1)
    assert drift.read_traffic(tmp_path, since) == [] and len(drift.read_traffic(tmp_path, None)) == 60


def test_the_bundled_sample_is_what_its_seeded_generator_writes(tmp_path):
    import make_sample_data

    make_sample_data.main(tmp_path)
    bundled = SRC.parent / "data"
    made = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert made == {p.relative_to(bundled): p.read_bytes() for p in bundled.rglob("*") if p.is_file()}
    assert sum(len(b) for b in made.values()) < 1_000_000
