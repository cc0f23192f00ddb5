"""Wire models for /lm/dataset/files."""
from __future__ import annotations

from .common import Wire


class FileCreated(Wire):
    message: str
    url: str
