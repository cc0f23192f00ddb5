"""The reference's preprocessing step: reads every file of the bound dataset, writes one cleaned CSV."""
import argparse
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--input", required=True)
parser.add_argument("--output", required=True)
args = parser.parse_args()

source, target = pathlib.Path(args.input), pathlib.Path(args.output)
rows = [line.strip().lower() for path in sorted(source.rglob("*")) if path.is_file()
        for line in path.read_text().splitlines()[1:] if line.strip()]
target.mkdir(parents=True, exist_ok=True)
(target / "train.csv").write_text("text,label\n" + "\n".join(rows) + "\n")
print(f"preprocessed {len(rows)} rows from {source} into {target}")
