"""Step 3: measure accuracy on the held-out rows and report it as a metric."""
import argparse
from pathlib import Path

from model import NaiveBayes, read_rows
from train import log_metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder with test.csv")
    parser.add_argument("--model", required=True, help="folder with model.json")
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="fail the run below this accuracy")
    args = parser.parse_args()

    rows = read_rows(Path(args.data) / "test.csv")
    model = NaiveBayes.load(Path(args.model))
    correct = sum(model.predict(text) == label for text, label in rows)
    accuracy = correct / len(rows) if rows else 0.0
    print(f"evaluate: accuracy {accuracy:.3f} on {len(rows)} test rows")
    log_metrics({"accuracy": accuracy, "test_rows": len(rows)})
    if accuracy < args.min_accuracy:
        raise SystemExit(f"accuracy {accuracy:.3f} is below the required {args.min_accuracy}")


if __name__ == "__main__":
    main()
