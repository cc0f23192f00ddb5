"""The timestamp type every response uses: UTC, seconds always present (the Python clients insist)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

from chalicelib.domain.clock import to_wire

WireTime = Annotated[datetime, PlainSerializer(to_wire, return_type=str, when_used="json")]
