"""Step 2: score the held-out histories, log ROC AUC, precision and recall, and fail below the model card's numbers.

The card's numbers live in model_card_metrics.json (MODEL_CARD.md states the same values; a test keeps them equal).
"""
import argparse
import json
from pathlib import Path

from sklearn.metrics import precision_score, recall_score, roc_auc_score

import model as flake_model
from history import read_dataset
from tracking import log_metrics

CARD = Path(__file__).resolve().parent / "model_card_metrics.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="the same histories the training read")
    parser.add_argument("--model", required=True, help="folder with model.joblib")
    parser.add_argument("--tolerance", type=float, default=0.02, help="how far below the card's numbers still passes")
    parser.add_argument("--card", default=str(CARD), help="the model card's numbers (JSON)")
    args = parser.parse_args()

    _, held_out = flake_model.split(read_dataset(Path(args.data)))
    truth = [h.flaky for h in held_out]
    probability = flake_model.flaky_probability(flake_model.load(Path(args.model)), [h.runs for h in held_out])
    predicted = (probability >= flake_model.THRESHOLD).astype(int)
    measured = {"roc_auc": roc_auc_score(truth, probability), "precision": precision_score(truth, predicted),
                "recall": recall_score(truth, predicted)}
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in measured.items())
          + f" on {len(held_out)} held-out histories ({sum(truth)} flaky)")
    log_metrics({**measured, "test_histories": len(held_out)})

    card = json.loads(Path(args.card).read_text())
    # The card states its numbers to 4 places: a measurement equal to them at that precision reproduces them.
    short = [f"{k} {measured[k]:.4f} < card {card[k]} - {args.tolerance}" for k in card
             if round(measured[k], 4) < round(card[k] - args.tolerance, 4)]
    if short:
        raise SystemExit("evaluate: below the model card: " + "; ".join(short))
    print(f"evaluate: within {args.tolerance} of the model card")


if __name__ == "__main__":
    main()
