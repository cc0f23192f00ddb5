"""Write the bundled dataset: short bug reports of a made-up web product, some of them duplicates (seeded: the same
file every time).

    python generate_data.py --output ../data/reports.csv

A *bug* is a (thing, symptom, trigger) triple within a component, e.g. (the login page, crashes, on Safari). Every
report of a bug words it its own way (a duplicate keeps each of the original's phrasings with probability ECHO): each part has several hand-written phrasings ("the login page", "the sign-in
screen"; "crashes", "throws an exception"), titles and descriptions follow several sentence patterns, and
descriptions carry unrelated chatter (versions, how often, urgency). The first report of a bug is the original;
about two bugs in five get one to three later reports, its duplicates (`duplicate_of` = the original's id).
Different bugs share parts (the same page with another symptom, the same symptom elsewhere), which is what makes
finding the right original harder than matching one keyword.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Dict, List, Tuple

from reports import Report, write_reports

# component -> things in it, each with its phrasings
THINGS: Dict[str, List[Tuple[str, ...]]] = {
    "auth": [("the login page", "the sign-in screen", "the login form"),
             ("the password reset email", "the reset-password mail", "the forgot password link"),
             ("two-factor authentication", "the 2FA code prompt", "the one-time code check"),
             ("single sign-on", "the SSO redirect", "login through the company identity provider"),
             ("the session timeout", "automatic logout", "the session expiry")],
    "payments": [("the checkout page", "the checkout flow", "the payment step"),
                 ("the invoice PDF", "the downloadable invoice", "invoice generation"),
                 ("card payments", "paying by credit card", "the card form"),
                 ("refunds", "the refund button", "issuing a refund"),
                 ("the subscription renewal", "automatic plan renewal", "the recurring charge")],
    "search": [("the search box", "the search bar", "the search field"),
               ("search results", "the results list", "the hits page"),
               ("the autocomplete suggestions", "type-ahead suggestions", "the search dropdown"),
               ("search filters", "the filter sidebar", "the facet filters"),
               ("sorting of results", "the sort order dropdown", "result ordering")],
    "editor": [("the document editor", "the text editor", "the editing view"),
               ("autosave", "automatic saving of drafts", "the draft autosave"),
               ("image upload in the editor", "inserting pictures", "pasting images into a document"),
               ("the undo button", "undo and redo", "ctrl+z"),
               ("table formatting", "tables in documents", "the table tool")],
    "notifications": [("email notifications", "notification emails", "the email alerts"),
                      ("push notifications", "mobile push alerts", "phone notifications"),
                      ("the notification bell", "the in-app notification list", "the unread badge"),
                      ("the weekly digest", "the weekly summary email", "the digest mail"),
                      ("notification settings", "the alert preferences page", "mute options")],
    "storage": [("file upload", "uploading files", "the upload dialog"),
                ("file download", "downloading attachments", "the download button"),
                ("the storage quota", "the disk usage meter", "the space limit"),
                ("folder sharing", "shared folders", "sharing a directory"),
                ("file previews", "the preview pane", "thumbnail generation")],
}

SYMPTOMS: List[Tuple[Tuple[str, ...], Tuple[str, ...]]] = [
    # (phrasings after the thing in a title, what "actually happened" in a description)
    (("crashes", "throws an exception", "fails with a stack trace"),
     ("the app crashes with an unhandled exception", "I get a stack trace and the page dies",
      "it throws an exception and everything stops")),
    (("hangs", "freezes", "stops responding"),
     ("it freezes and the spinner never goes away", "the whole tab hangs", "nothing responds for minutes")),
    (("shows a blank page", "renders empty", "is blank"),
     ("the page is completely white", "nothing is rendered at all", "I only see an empty screen")),
    (("returns error 500", "gives an internal server error", "fails with HTTP 500"),
     ("the server answers 500 Internal Server Error", "I get an internal server error", "a 500 error page comes up")),
    (("is very slow", "takes forever", "loads extremely slowly"),
     ("it takes more than a minute to load", "the response time is terrible", "loading is painfully slow")),
    (("shows wrong data", "displays incorrect values", "shows someone else's numbers"),
     ("the values shown are wrong", "the numbers do not match what I entered", "it shows stale and incorrect data")),
    (("sends duplicates", "happens twice", "is triggered two times"),
     ("everything happens twice", "I got it two times", "it is duplicated every time")),
]

TRIGGERS: List[Tuple[str, ...]] = [
    ("on Safari", "in Safari 17", "using Safari on macOS"),
    ("after the 4.2 upgrade", "since version 4.2", "after updating to release 4.2"),
    ("with non-ASCII names", "when the name has accented characters", "with unicode characters like umlauts"),
    ("on mobile", "on my Android phone", "in the mobile app"),
    ("when the network is flaky", "on a slow connection", "when going offline and back"),
    ("for large accounts", "when there are thousands of items", "with a big workspace"),
    ("in dark mode", "with the dark theme enabled", "when the dark color scheme is on"),
    ("right after logging in", "on the first visit after sign-in", "immediately after login"),
]

TITLES = ("{Thing} {symptom} {trigger}", "{Trigger}, {thing} {symptom}", "{Thing} {symptom} {trigger}!",
          "Bug: {thing} {symptom} {trigger}", "{Thing} {symptom}")
DESCRIPTIONS = (
    "Steps: open {thing} {trigger}. Expected it to work. Actual: {actual}. {chatter}",
    "{Trigger} {thing} is broken: {actual}. {chatter}",
    "When I use {thing} {trigger}, {actual}. {chatter} {chatter2}",
    "{Chatter} Repro: go to {thing} {trigger}; {actual}.",
)
CHATTER = ("Happens every time.", "Happens about half of the time.", "Reproduced on two machines.",
           "Customers are complaining.", "Please fix soon.", "Browser console shows nothing useful.",
           "Started this week.", "Not sure if this is known already.", "Tested on staging and production.",
           "Clearing the cache does not help.", "A colleague sees the same.", "Workaround: reload the page.",
           "Low priority for us.", "Blocking our release.", "Screenshot attached in the ticket.")


ECHO = 0.5  # people who hit the same bug often use the same words for part of it, not for all of it


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def write_report(rng: random.Random, bug: Tuple[str, int, int, int], identifier: str, original: str,
                 echo: Dict[str, str] = None) -> Tuple[Report, Dict[str, str]]:
    """One report of `bug`; a duplicate keeps each of the original's phrasings (`echo`) with probability ECHO."""
    component, thing_i, symptom_i, trigger_i = bug
    title_symptoms, actuals = SYMPTOMS[symptom_i]
    parts = {"thing": rng.choice(THINGS[component][thing_i]), "symptom": rng.choice(title_symptoms),
             "actual": rng.choice(actuals), "trigger": rng.choice(TRIGGERS[trigger_i])}
    for name in parts:
        if echo and rng.random() < ECHO:
            parts[name] = echo[name]
    thing, symptom, actual, trigger = parts["thing"], parts["symptom"], parts["actual"], parts["trigger"]
    chatter, chatter2 = rng.sample(CHATTER, 2)
    words = {"thing": thing, "symptom": symptom, "trigger": trigger, "actual": actual, "chatter": chatter,
             "chatter2": chatter2}
    words.update({_cap(k): _cap(v) for k, v in list(words.items())})
    title = rng.choice(TITLES).format(**words)
    description = rng.choice(DESCRIPTIONS).format(**words)
    return Report(identifier, title, description, component, original), parts


def generate(rng: random.Random, bugs: int, duplicate_share: float) -> List[Report]:
    every_bug = [(c, t, s, g) for c in THINGS for t in range(len(THINGS[c])) for s in range(len(SYMPTOMS))
                 for g in range(len(TRIGGERS))]
    chosen = rng.sample(every_bug, bugs)
    written = [write_report(rng, bug, f"BUG-{i + 1:04d}", "") for i, bug in enumerate(chosen)]
    originals = [report for report, _ in written]
    # Duplicates come later than their originals (they are filed after them): numbered after every original.
    duplicates: List[Report] = []
    for bug, (original, parts) in zip(chosen, written):
        if rng.random() < duplicate_share:
            for _ in range(rng.choice((1, 1, 2, 3))):
                duplicates.append(write_report(rng, bug, "", original.id, parts)[0])
    rng.shuffle(duplicates)
    duplicates = [Report(f"BUG-{len(originals) + i + 1:04d}", d.title, d.description, d.component, d.duplicate_of)
                  for i, d in enumerate(duplicates)]
    return originals + duplicates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "data" / "reports.csv"))
    parser.add_argument("--bugs", type=int, default=240)
    parser.add_argument("--duplicate-share", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    reports = generate(random.Random(args.seed), args.bugs, args.duplicate_share)
    write_reports(Path(args.output), reports)
    duplicates = sum(bool(r.duplicate_of) for r in reports)
    print(f"generate: {len(reports)} reports ({len(reports) - duplicates} originals, {duplicates} duplicates) "
          f"-> {args.output}")


if __name__ == "__main__":
    main()
