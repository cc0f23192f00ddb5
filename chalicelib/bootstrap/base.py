"""What every wiring family of the Container may rely on: the settings it was built from."""
from __future__ import annotations

from ..settings import Settings


class Wiring:
    def __init__(self, settings: Settings):
        self.settings = settings
