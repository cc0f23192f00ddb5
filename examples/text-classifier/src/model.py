"""A multinomial naive Bayes text classifier in plain Python: small, real, and trains in milliseconds."""
from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

TOKEN = re.compile(r"[a-z']+")


def tokens(text: str) -> List[str]:
    return TOKEN.findall(text.lower())


class NaiveBayes:
    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha
        self.class_counts: Counter = Counter()
        self.word_counts: Dict[str, Counter] = defaultdict(Counter)
        self.vocabulary: set = set()

    def fit(self, rows: Iterable[Tuple[str, str]]) -> "NaiveBayes":
        for text, label in rows:
            self.class_counts[label] += 1
            for word in tokens(text):
                self.word_counts[label][word] += 1
                self.vocabulary.add(word)
        if len(self.class_counts) < 2:
            raise ValueError("training data needs at least two labels")
        return self

    def scores(self, text: str) -> Dict[str, float]:
        total = sum(self.class_counts.values())
        vocab = len(self.vocabulary) or 1
        result = {}
        for label, count in self.class_counts.items():
            words = self.word_counts[label]
            denominator = sum(words.values()) + self.alpha * vocab
            score = math.log(count / total)
            for word in tokens(text):
                score += math.log((words[word] + self.alpha) / denominator)
            result[label] = score
        return result

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        return max(scores, key=scores.get)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "model.json"
        path.write_text(json.dumps({"alpha": self.alpha, "class_counts": self.class_counts,
                                    "word_counts": self.word_counts, "vocabulary": sorted(self.vocabulary)}))
        return path

    @classmethod
    def load(cls, folder: Path) -> "NaiveBayes":
        data = json.loads((Path(folder) / "model.json").read_text())
        model = cls(data["alpha"])
        model.class_counts = Counter(data["class_counts"])
        model.word_counts = defaultdict(Counter, {k: Counter(v) for k, v in data["word_counts"].items()})
        model.vocabulary = set(data["vocabulary"])
        return model


def read_rows(path: Path) -> List[Tuple[str, str]]:
    import csv

    with open(path, newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle)]


def write_rows(path: Path, rows: Iterable[Tuple[str, str]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
