"""Tables for people, JSON for scripts: every command prints through here so `--json` means the same everywhere.
Progress and log lines go to stderr in JSON mode so stdout stays one parseable document."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, List, Sequence

from rich.console import Console
from rich.table import Table

# Piped or in a CI log, rich would assume 80 columns and fold ids mid-word; tables are read there too.
_PIPE_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
out = Console(highlight=False, width=_PIPE_WIDTH)
err = Console(stderr=True, highlight=False)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
    sys.stdout.flush()


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    t = Table(title=title, title_justify="left", min_width=len(title))
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


def when(timestamp: Any) -> str:
    """2026-12-04T17:17:01.945195Z -> 2026-12-04 17:17:01: a table cell, not a record."""
    return str(timestamp or "").replace("T", " ")[:19]


def columns_of(items: List[dict], keys: Sequence[str]) -> List[List[Any]]:
    return [[item.get(k) for k in keys] for item in items]


@contextmanager
def progress(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner with a status line on stderr while waiting; yields a function that changes the line. Rich only
    animates it on a terminal: in CI logs and pipes it prints nothing, and stdout stays clean for --json."""
    with err.status(text) as status:
        yield lambda line: status.update(line)
