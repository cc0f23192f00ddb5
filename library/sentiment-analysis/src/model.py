"""The sentiment model: scikit-learn's TF-IDF (words and word pairs) and logistic regression in one Pipeline.

Word pairs matter here: "not worth", "never failed" and "but the" carry what single words get wrong.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import List, Sequence, Tuple

import joblib
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

LABELS = ("negative", "positive")
SPLIT_SEED, TEST_SHARE = 7, 0.25
MODEL_FILE, INFO_FILE = "model.joblib", "model.json"


def read_dataset(path: Path) -> List[Tuple[str, str]]:
    """(text, label) rows of a CSV with a `text,label` header, or of every such CSV in a folder (name order)."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    rows = []
    for file in files:
        with file.open(newline="") as f:
            rows += [(r["text"], r["label"]) for r in csv.DictReader(f)]
    unknown = {label for _, label in rows} - set(LABELS)
    if unknown or not rows:
        raise SystemExit(f"{path}: expected rows labelled {LABELS}, found {sorted(unknown) or 'no rows'}")
    return rows


def split(rows: Sequence[Tuple[str, str]]):
    """The same train/held-out split in every step (stratified on the label, fixed seed)."""
    return train_test_split(list(rows), test_size=TEST_SHARE, random_state=SPLIT_SEED,
                            stratify=[label for _, label in rows])


def fit(rows: Sequence[Tuple[str, str]], c: float = 4.0) -> Pipeline:
    model = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
                      ("regression", LogisticRegression(C=c, max_iter=1000))])
    return model.fit([text for text, _ in rows], [label for _, label in rows])


def save(model: Pipeline, folder: Path, info: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / MODEL_FILE)  # the file name KServe's own sklearn server loads
    (folder / INFO_FILE).write_text(json.dumps({"labels": list(LABELS), "scikit_learn": sklearn.__version__,
                                                **info}, indent=2))


def load(folder: Path) -> Pipeline:
    return joblib.load(Path(folder) / MODEL_FILE)


def predict(model: Pipeline, texts: Sequence[str]) -> List[dict]:
    """A label per text and its probability (the score of the label chosen)."""
    probabilities = model.predict_proba(list(texts))
    classes = list(model.classes_)
    out = []
    for row in probabilities:
        best = int(row.argmax())
        out.append({"label": str(classes[best]), "score": round(float(row[best]), 4)})
    return out
