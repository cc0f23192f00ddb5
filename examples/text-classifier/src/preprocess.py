"""Step 1: clean the raw reviews and split them into train and test sets (deterministic)."""
import argparse
import random
from pathlib import Path

from model import read_rows, write_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True, help="CSV file or folder with text,label rows")
    parser.add_argument("--output", required=True, help="folder for train.csv and test.csv")
    parser.add_argument("--test-share", type=float, default=0.25)
    args = parser.parse_args()

    source = Path(args.input)
    files = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    rows = [(" ".join(text.split()), label.strip().lower()) for f in files for text, label in read_rows(f) if text]
    random.Random(42).shuffle(rows)
    cut = int(len(rows) * (1 - args.test_share))
    out = Path(args.output)
    write_rows(out / "train.csv", rows[:cut])
    write_rows(out / "test.csv", rows[cut:])
    print(f"preprocess: {len(rows)} rows from {len(files)} file(s) -> {cut} train, {len(rows) - cut} test")


if __name__ == "__main__":
    main()
