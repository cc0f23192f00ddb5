"""Writes the package's sample data (seeded, reproducible): a reference set of short product reviews with labels, as
a text classifier is trained on, and one recorded traffic window in the platform's layout in which the model is
sent something else (support tickets), so the bundled execution shows what flagged drift looks like.

    python src/make_sample_data.py data
"""
import csv
import json
import random
import sys
from pathlib import Path

PRODUCTS = ["printer", "camera", "charger", "headphones", "laptop", "kettle", "monitor", "speaker", "keyboard"]
GOOD = ["works perfectly", "is excellent", "exceeded my expectations", "is great value", "is sturdy and fast"]
BAD = ["is terrible", "stopped working after a week", "broke on day one", "is a waste of money", "keeps crashing"]
GOOD_TAILS = ["", " five stars", " would buy again", " highly recommended"]
BAD_TAILS = ["", " one star", " returned it", " I want a refund"]
TICKETS = ["VPN client drops the tunnel every time the laptop resumes from sleep on the office network",
           "Cannot reset my password because the verification email never arrives in the inbox",
           "Invoice 4471 shows a duplicate charge for the annual subscription renewed in March",
           "The mobile app crashes on launch since the latest update on older Android versions",
           "Please add two more seats to our team plan and move billing to the new cost center"]
DAY = "2026-01-15"


def review(rng: random.Random) -> dict:
    label = rng.choice(["positive", "negative"])
    phrase, tail = (GOOD, GOOD_TAILS) if label == "positive" else (BAD, BAD_TAILS)
    return {"text": f"The {rng.choice(PRODUCTS)} {rng.choice(phrase)}.{rng.choice(tail)}", "label": label}


def main(out: Path) -> None:
    rng = random.Random(20260115)
    reference = out / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    with (reference / "reviews.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["text", "label"])
        writer.writeheader()
        writer.writerows(review(rng) for _ in range(300))
    window = out / "traffic" / DAY
    window.mkdir(parents=True, exist_ok=True)
    for i in range(60):
        text = rng.choice(TICKETS)
        record = {"time": f"{DAY}T09:{i // 60:02d}:{i % 60:02d}Z", "deploymentId": "d000000sample", "method": "POST",
                  "path": "/v1/models/text-classifier:predict", "status": 200, "request": {"instances": [text]},
                  "response": {"predictions": ["negative"]}}
        name = f"{DAY.replace('-', '')}T09{i // 60:02d}{i % 60:02d}.000000Z-{i:04d}.jsonl"
        (window / name).write_text(json.dumps(record) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data"))
