"""The flakiness model: scikit-learn's logistic regression on standardised history features.

A linear model keeps the evidence honest: its log-odds are the intercept plus one term per feature, so each
feature's term IS how much it pushed this history towards (or away from) "flaky".
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from history import FEATURES, LabelledHistory, Run, counts, feature_matrix, features

SPLIT_SEED, TEST_SHARE = 7, 0.25
THRESHOLD = 0.5  # a probability at or above it counts as "flaky" for precision and recall
MODEL_FILE, INFO_FILE = "model.joblib", "model.json"


def split(histories: Sequence[LabelledHistory]) -> Tuple[List[LabelledHistory], List[LabelledHistory]]:
    """The same train/held-out split in every step (stratified on the label, fixed seed)."""
    return train_test_split(list(histories), test_size=TEST_SHARE, random_state=SPLIT_SEED,
                            stratify=[h.flaky for h in histories])


def fit(histories: Sequence[LabelledHistory], c: float = 1.0) -> Pipeline:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c))
    return model.fit(feature_matrix([h.runs for h in histories]), [h.flaky for h in histories])


def save(model: Pipeline, folder: Path, info: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / MODEL_FILE)  # the file name KServe's own sklearn server loads
    (folder / INFO_FILE).write_text(json.dumps({"features": list(FEATURES), "threshold": THRESHOLD,
                                                "scikit_learn": sklearn.__version__, **info}, indent=2))


def load(folder: Path) -> Pipeline:
    return joblib.load(Path(folder) / MODEL_FILE)


def flaky_probability(model: Pipeline, histories: Sequence[Sequence[Run]]) -> np.ndarray:
    return model.predict_proba(feature_matrix(histories))[:, 1]


def explain(model: Pipeline, runs: Sequence[Run]) -> Tuple[float, Dict]:
    """The probability and its evidence: the counts, the features, and each feature's log-odds term.

    The terms are measured from a quiet test (never fails, constant duration: every feature 0), so a signal the
    history does not show contributes nothing; baseline_log_odds plus the terms is the model's log-odds.
    """
    values = features(runs)
    row = np.array([[values[name] for name in FEATURES]])
    quiet = np.zeros_like(row)
    probability = float(model.predict_proba(row)[0, 1])
    scaler, regression = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    terms = (scaler.transform(row) - scaler.transform(quiet))[0] * regression.coef_[0]
    drivers = [{"feature": name, "log_odds": round(float(term), 3) + 0.0} for name, term in zip(FEATURES, terms)]
    drivers.sort(key=lambda d: d["log_odds"], reverse=True)  # the strongest push towards "flaky" first
    evidence = {**counts(runs), **{name: round(value, 3) for name, value in values.items()},
                "baseline_log_odds": round(float(model.decision_function(quiet)[0]), 3), "drivers": drivers}
    return probability, evidence
