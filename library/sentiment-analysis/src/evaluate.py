"""Step 2: label the held-out reviews, log accuracy and macro F1, and fail below the model card's numbers.

The card's numbers live in model_card_metrics.json (MODEL_CARD.md states the same values; a test keeps them equal).
"""
import argparse
import json
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

import model as sentiment
from tracking import log_metrics

CARD = Path(__file__).resolve().parent / "model_card_metrics.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="the same reviews the training read")
    parser.add_argument("--model", required=True, help="folder with model.joblib")
    parser.add_argument("--tolerance", type=float, default=0.02, help="how far below the card's numbers still passes")
    parser.add_argument("--card", default=str(CARD), help="the model card's numbers (JSON)")
    args = parser.parse_args()

    _, held_out = sentiment.split(sentiment.read_dataset(Path(args.data)))
    truth = [label for _, label in held_out]
    predicted = [p["label"] for p in sentiment.predict(sentiment.load(Path(args.model)), [t for t, _ in held_out])]
    measured = {"accuracy": accuracy_score(truth, predicted), "macro_f1": f1_score(truth, predicted, average="macro")}
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in measured.items())
          + f" on {len(held_out)} held-out reviews")
    log_metrics({**measured, "test_rows": len(held_out)})

    card = json.loads(Path(args.card).read_text())
    # The card states its numbers to 4 places: a measurement equal to them at that precision reproduces them.
    short = [f"{k} {measured[k]:.4f} < card {card[k]} - {args.tolerance}" for k in card
             if round(measured[k], 4) < round(card[k] - args.tolerance, 4)]
    if short:
        raise SystemExit("evaluate: below the model card: " + "; ".join(short))
    print(f"evaluate: within {args.tolerance} of the model card")


if __name__ == "__main__":
    main()
