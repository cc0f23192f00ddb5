"""Step 1: fit the TF-IDF vectorizer on the original reports and index them; save the index as the model artifact.
The duplicates are held out: they are the evaluation's queries."""
import argparse
from pathlib import Path

from index import DuplicateIndex, indexed_and_queries
from reports import read_reports
from tracking import log_metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="reports CSV file or a folder of them")
    parser.add_argument("--output", required=True, help="folder for model.joblib and model.json")
    parser.add_argument("--min-df", type=int, default=1, help="ignore n-grams seen in fewer reports than this")
    args = parser.parse_args()

    indexed, queries = indexed_and_queries(read_reports(Path(args.data)))
    index = DuplicateIndex.build(indexed, args.min_df)
    index.save(Path(args.output), {"min_df": args.min_df, "features": index.vectors.shape[1]})
    print(f"train: indexed {len(indexed)} reports ({index.vectors.shape[1]} features), "
          f"{len(queries)} duplicates held out -> {args.output}")
    log_metrics({"indexed_reports": len(indexed), "features": index.vectors.shape[1]})


if __name__ == "__main__":
    main()
