"""Step 1: fit the flakiness model on the training share of the labelled histories; save it as the model artifact."""
import argparse
from pathlib import Path

import model as flake_model
from history import read_dataset
from tracking import log_metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="histories CSV file or a folder of them")
    parser.add_argument("--output", required=True, help="folder for model.joblib and model.json")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength of the regression")
    args = parser.parse_args()

    train, held_out = flake_model.split(read_dataset(Path(args.data)))
    fitted = flake_model.fit(train, args.c)
    flake_model.save(fitted, Path(args.output), {"train_histories": len(train), "c": args.c})
    flaky = sum(h.flaky for h in train)
    print(f"train: {len(train)} histories ({flaky} flaky), {len(held_out)} held out -> {args.output}")
    log_metrics({"train_histories": len(train), "train_flaky": flaky})


if __name__ == "__main__":
    main()
