"""Tables for people, JSON for scripts: every command prints through here so `--json` means the same everywhere.
Progress and log lines go to stderr in JSON mode so stdout stays one parseable document."""
from __future__ import annotations

import json
import sys
from typing import Any, Iterable, List, Sequence

from rich.console import Console
from rich.table import Table

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
    sys.stdout.flush()


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    t = Table(title=title, title_justify="left")
    for column in columns:
        t.add_column(column, overflow="fold")
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    out.print(t)


def log_line(line: dict, prefix: str = "", to_stderr: bool = False) -> None:
    """Raw text, never rich markup: training output may contain [brackets]."""
    stream = sys.stderr if to_stderr else sys.stdout
    stream.write(f"{prefix}{line.get('timestamp', '')} {line.get('msg', '')}\n")
    stream.flush()


def columns_of(items: List[dict], keys: Sequence[str]) -> List[List[Any]]:
    return [[item.get(k) for k in keys] for item in items]
