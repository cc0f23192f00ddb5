"""Step 1: fit the sentiment model on the training share of the labelled reviews; save it as the model artifact."""
import argparse
from pathlib import Path

import model as sentiment
from tracking import log_metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="reviews CSV (text,label) or a folder of them")
    parser.add_argument("--output", required=True, help="folder for model.joblib and model.json")
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength of the regression")
    args = parser.parse_args()

    train, held_out = sentiment.split(sentiment.read_dataset(Path(args.data)))
    fitted = sentiment.fit(train, args.c)
    vocabulary = len(fitted.named_steps["tfidf"].vocabulary_)
    sentiment.save(fitted, Path(args.output), {"train_rows": len(train), "c": args.c, "vocabulary": vocabulary})
    print(f"train: {len(train)} reviews, {vocabulary} terms, {len(held_out)} held out -> {args.output}")
    log_metrics({"train_rows": len(train), "vocabulary": vocabulary})


if __name__ == "__main__":
    main()
