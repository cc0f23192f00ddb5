"""Step 2: look every held-out duplicate up in the index; log recall@1, recall@3 and MRR, and fail below the model
card's numbers. The card's numbers live in model_card_metrics.json (MODEL_CARD.md states the same values; a test
keeps them equal).

recall@k is scikit-learn's top_k_accuracy_score (the original among the k best-scored reports); with exactly one
relevant report per query, label_ranking_average_precision_score IS the mean reciprocal rank.
"""
import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import label_ranking_average_precision_score, top_k_accuracy_score

from index import DuplicateIndex, indexed_and_queries
from reports import read_reports
from tracking import log_metrics

CARD = Path(__file__).resolve().parent / "model_card_metrics.json"


def measure(index: DuplicateIndex, queries) -> dict:
    scores = index.similarities(queries)
    position = {identifier: i for i, identifier in enumerate(index.ids)}
    truth = np.array([position[q.duplicate_of] for q in queries])
    relevant = np.zeros_like(scores, dtype=int)
    relevant[np.arange(len(queries)), truth] = 1
    labels = np.arange(len(index))
    return {"recall_at_1": top_k_accuracy_score(truth, scores, k=1, labels=labels),
            "recall_at_3": top_k_accuracy_score(truth, scores, k=3, labels=labels),
            "mrr": label_ranking_average_precision_score(relevant, scores)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="the same reports the training read")
    parser.add_argument("--model", required=True, help="folder with model.joblib")
    parser.add_argument("--tolerance", type=float, default=0.02, help="how far below the card's numbers still passes")
    parser.add_argument("--card", default=str(CARD), help="the model card's numbers (JSON)")
    args = parser.parse_args()

    _, queries = indexed_and_queries(read_reports(Path(args.data)))
    measured = measure(DuplicateIndex.load(Path(args.model)), queries)
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in measured.items())
          + f" on {len(queries)} held-out duplicates")
    log_metrics({**measured, "test_queries": len(queries)})

    card = json.loads(Path(args.card).read_text())
    # The card states its numbers to 4 places: a measurement equal to them at that precision reproduces them.
    short = [f"{k} {measured[k]:.4f} < card {card[k]} - {args.tolerance}" for k in card
             if round(measured[k], 4) < round(card[k] - args.tolerance, 4)]
    if short:
        raise SystemExit("evaluate: below the model card: " + "; ".join(short))
    print(f"evaluate: within {args.tolerance} of the model card")


if __name__ == "__main__":
    main()
