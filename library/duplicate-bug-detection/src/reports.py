"""A bug report: its CSV columns (the bundled data), its JSON shape in requests, and its validation.

    {"id": "BUG-0042", "title": "Login page crashes on Safari", "description": "Open the login page ..."}

`id` is only needed when a report is added to the index; a query needs a title or a description (or both).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

COLUMNS = ("id", "title", "description", "component", "duplicate_of")
MAX_TEXT = 20_000  # characters per field: a bug report, not a log file


class ReportError(ValueError):
    """A request part that does not have the documented shape; the message names the offending field."""


@dataclass(frozen=True)
class Report:
    id: str
    title: str
    description: str
    component: str = ""
    duplicate_of: str = ""  # the id of the report this one duplicates ("" for an original)

    @property
    def text(self) -> str:
        return f"{self.title}. {self.description}"


def read_reports(source: Path) -> List[Report]:
    """Every *.csv under `source` (a file or a folder), in file and row order."""
    source = Path(source)
    files = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    reports: List[Report] = []
    for path in files:
        with open(path, newline="") as handle:
            reports.extend(Report(**{k: row[k] for k in COLUMNS}) for row in csv.DictReader(handle))
    if not reports:
        raise SystemExit(f"no bug reports found in {source}")
    return reports


def write_reports(path: Path, reports: Sequence[Report]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for report in reports:
            writer.writerow([getattr(report, k) for k in COLUMNS])


def _text_field(item: dict, name: str, where: str) -> str:
    value = item.get(name, "")
    if not isinstance(value, str):
        raise ReportError(f"{where}.{name} must be a string")
    if len(value) > MAX_TEXT:
        raise ReportError(f"{where}.{name} is longer than {MAX_TEXT} characters")
    return value


def parse_query(item, where: str) -> Report:
    """A report to look duplicates up for: a title and/or a description."""
    if not isinstance(item, dict):
        raise ReportError(f'{where} must be an object like {{"title": "...", "description": "..."}}')
    title, description = _text_field(item, "title", where), _text_field(item, "description", where)
    if not (title.strip() or description.strip()):
        raise ReportError(f"{where} needs a non-empty title or description")
    return Report(str(item.get("id", "")), title, description)


def parse_new_report(item, where: str) -> Report:
    """A report to add to the index: a non-empty string id, and a title and/or a description."""
    report = parse_query(item, where)
    identifier = item.get("id")
    if not isinstance(identifier, str) or not identifier.strip():
        raise ReportError(f"{where}.id must be a non-empty string")
    return Report(identifier, report.title, report.description)
