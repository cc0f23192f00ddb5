"""Writes data/reviews.csv: labelled review sentences, composed from hand-written phrase pools with a fixed seed.

Why generated: the package must ship its data (no download at run time) and say exactly where it came from. The
pools mix products, apps, restaurants and services; sentences combine an opening, a subject and one or two
judgements, with negated phrases ("not worth it", "never failed me") on both sides so that single words do not
give the label away. `python src/generate_data.py data` rewrites the bundled file byte for byte.
"""
import argparse
import csv
import random
from pathlib import Path

SUBJECTS = ["the phone", "this laptop", "the headphones", "the blender", "this vacuum", "the app", "the update",
            "the website", "the checkout", "the delivery", "the courier", "the support team", "the hotel room",
            "the restaurant", "our waiter", "the pizza", "the coffee", "the battery", "the screen", "the camera",
            "the keyboard", "the mattress", "the jacket", "the shoes", "the subscription", "the booking process",
            "the airline", "the train", "the gym", "the dentist", "the plumber", "the installer", "the charger",
            "the printer", "the router", "the smartwatch", "the game", "the music service", "the bank app",
            "the insurance claim"]
POSITIVE = ["works perfectly", "exceeded my expectations", "is fantastic", "is excellent value", "was a pleasure",
            "is fast and reliable", "arrived early and well packed", "made my day", "is worth every penny",
            "has been flawless", "is beautifully made", "was friendly and helpful", "solved my problem quickly",
            "is a joy to use", "never failed me", "is not bad at all, really good in fact", "feels premium",
            "is simple and intuitive", "gets better with every update", "was delicious", "was spotless",
            "kept its promise", "deserves five stars", "is the best I have owned", "runs smoothly",
            "was on time", "impressed the whole family", "is sturdy and comfortable", "answered within minutes",
            "has great battery life"]
NEGATIVE = ["stopped working after a week", "is a waste of money", "is terrible", "was a nightmare",
            "keeps crashing", "arrived broken", "is painfully slow", "was rude and unhelpful", "never showed up",
            "is not worth it", "broke on the first day", "is overpriced and flimsy", "was cold and bland",
            "drains the battery", "is confusing and buggy", "charged me twice", "was filthy", "let me down",
            "is the worst purchase I made", "feels cheap", "lost my data", "was two hours late",
            "ignored my emails", "does not do what it promises", "made things worse", "overheats constantly",
            "is uncomfortable", "failed again", "gave me a headache", "cannot be trusted"]
OPENINGS = ["", "Honestly, ", "Well, ", "To be fair, ", "After a month, ", "As expected, ", "Sadly, ",
            "Happily, ", "I must say ", "In short, "]
JOINS = {1: [" and it ", ", and it also ", "; it "], 0: [" and it ", ", and on top of that it ", "; it "]}
ENDINGS = {1: [".", "!", ". Highly recommended.", ". I would buy it again.", ". Thank you!"],
           0: [".", "!", ". Avoid.", ". I want a refund.", ". Never again."]}


def _ending(rng: random.Random, positive: bool) -> str:
    # Most reviews end plainly; a verdict ("Avoid.") is a strong cue, so only some carry one.
    return rng.choice(ENDINGS[int(positive)]) if rng.random() < 0.3 else rng.choice([".", "!", "."])


def sentence(rng: random.Random, positive: bool) -> str:
    pool, other = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
    subject = rng.choice(SUBJECTS)
    if rng.random() < 0.2:
        # Mixed: the other side first, then "but" and the judgement that counts (what a reader takes away).
        text = (rng.choice(OPENINGS) + subject + " " + rng.choice(other) + ", but " + rng.choice(SUBJECTS) + " "
                + rng.choice(pool))
    else:
        first, second = rng.sample(pool, 2)
        text = rng.choice(OPENINGS) + subject + " " + first
        if rng.random() < 0.45:
            text += rng.choice(JOINS[int(positive)]) + second
    text += _ending(rng, positive)
    return text[0].upper() + text[1:]


def generate(rows: int, seed: int) -> list:
    rng = random.Random(seed)
    seen, out = set(), []
    while len(out) < rows:
        positive = len(out) % 2 == 0  # balanced labels
        text = sentence(rng, positive)
        if text not in seen:
            seen.add(text)
            out.append((text, "positive" if positive else "negative"))
    rng.shuffle(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    with (args.folder / "reviews.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(generate(args.rows, args.seed))


if __name__ == "__main__":
    main()
