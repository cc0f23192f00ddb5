"""Step 2: train the classifier and save it as the model artifact."""
import argparse
from pathlib import Path

from model import NaiveBayes, read_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True, help="folder with train.csv")
    parser.add_argument("--output", required=True, help="folder for model.json")
    parser.add_argument("--alpha", type=float, default=1.0, help="Laplace smoothing")
    args = parser.parse_args()

    rows = read_rows(Path(args.input) / "train.csv")
    model = NaiveBayes(args.alpha).fit(rows)
    path = model.save(Path(args.output))
    print(f"train: {len(rows)} rows, {len(model.vocabulary)} words, labels {sorted(model.class_counts)} -> {path}")
    log_metrics({"train_rows": len(rows), "vocabulary": len(model.vocabulary)})


def log_metrics(values: dict) -> None:
    """Report metrics to the execution when running on AI Core (or this project's local engine)."""
    try:
        from ai_core_sdk.models import Metric
        from ai_core_sdk.tracking import Tracking
    except ImportError:
        print("metrics (ai-core-sdk not installed):", values)
        return
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    Tracking().log_metrics(metrics=[Metric(name=k, value=float(v), timestamp=now, step=0) for k, v in values.items()])


if __name__ == "__main__":
    main()
