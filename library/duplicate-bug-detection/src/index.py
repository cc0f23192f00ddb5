"""The duplicate finder: scikit-learn TF-IDF over character n-grams, and cosine similarity to an index.

Character 3- to 5-grams within words (`char_wb`) match the same words and also inflections and near-spellings
("crash" / "crashes", "sign-in" / "signin") that word features miss. On the bundled held-out duplicates they beat
word 1-2-grams and the union of both (MODEL_CARD.md has the three measurements), so the model is the simplest of
them. `cosine_similarity` scores a query against every indexed report.

Reports added to a running index are TRANSFORMED with the fitted vectorizer, not refitted: every score already
given stays what it was (refitting would move every IDF weight and so every score), adding is cheap (only the new
rows), and the model stays the validated artifact. The cost: words the vectorizer never saw count for nothing
(only their character n-grams that the index already knows count), so retrain when the vocabulary has moved.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import joblib
import numpy as np
import scipy.sparse
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from reports import Report

MODEL_FILE, INFO_FILE = "model.joblib", "model.json"


def indexed_and_queries(reports: Sequence[Report]) -> Tuple[List[Report], List[Report]]:
    """The split every step uses: originals form the index, duplicates are the held-out queries (never indexed,
    never seen by the vectorizer)."""
    return [r for r in reports if not r.duplicate_of], [r for r in reports if r.duplicate_of]


def make_vectorizer(min_df: int = 1) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=min_df)


class DuplicateIndex:
    """The fitted vectorizer, the indexed reports' vectors and their ids and titles; thread-safe additions."""

    def __init__(self, vectorizer: TfidfVectorizer, ids: List[str], titles: List[str], vectors):
        self.vectorizer, self.ids, self.titles, self.vectors = vectorizer, ids, titles, scipy.sparse.csr_matrix(vectors)
        self._lock = threading.Lock()

    @classmethod
    def build(cls, reports: Sequence[Report], min_df: int = 1) -> "DuplicateIndex":
        vectorizer = make_vectorizer(min_df)
        vectors = vectorizer.fit_transform([r.text for r in reports])
        return cls(vectorizer, [r.id for r in reports], [r.title for r in reports], vectors)

    def __len__(self) -> int:
        return len(self.ids)

    def similarities(self, queries: Sequence[Report]) -> np.ndarray:
        """(queries x indexed reports) cosine similarities."""
        with self._lock:
            vectors = self.vectors
        return cosine_similarity(self.vectorizer.transform([q.text for q in queries]), vectors)

    def most_similar(self, queries: Sequence[Report], top_k: int) -> List[List[Dict]]:
        with self._lock:
            ids, titles, vectors = list(self.ids), list(self.titles), self.vectors
        scores = cosine_similarity(self.vectorizer.transform([q.text for q in queries]), vectors)
        answers = []
        for row in scores:
            best = np.argsort(-row, kind="stable")[:top_k]  # ties: the earlier-indexed report first
            answers.append([{"id": ids[i], "title": titles[i], "score": round(float(row[i]), 4)} for i in best])
        return answers

    def known(self, identifier: str) -> bool:
        with self._lock:
            return identifier in self.ids

    def add(self, reports: Sequence[Report]) -> int:
        """Transform the new reports with the fitted vectorizer and append them; the new size."""
        rows = self.vectorizer.transform([r.text for r in reports])
        with self._lock:
            self.vectors = scipy.sparse.vstack([self.vectors, rows], format="csr")
            self.ids.extend(r.id for r in reports)
            self.titles.extend(r.title for r in reports)
            return len(self.ids)

    def save(self, folder: Path, info: dict) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump({"vectorizer": self.vectorizer, "ids": self.ids, "titles": self.titles,
                     "vectors": self.vectors}, folder / MODEL_FILE)
        (folder / INFO_FILE).write_text(json.dumps({"indexed_reports": len(self), "scikit_learn": sklearn.__version__,
                                                    **info}, indent=2))

    @classmethod
    def load(cls, folder: Path) -> "DuplicateIndex":
        saved = joblib.load(Path(folder) / MODEL_FILE)
        return cls(saved["vectorizer"], saved["ids"], saved["titles"], saved["vectors"])
