"""Wire models for /admin/repositories. The password is accepted, never returned."""
from __future__ import annotations

from typing import Optional

from pydantic import Field

from chalicelib.domain import repositories

from .applications import HTTPS_URL
from .common import Body, Wire, stated


class RepositoryCreate(Body):
    name: Optional[str] = Field(None, max_length=51, json_schema_extra=stated(repositories.NAME))
    # https:// everywhere; a local installation also takes file:// URLs and absolute paths.
    url: str = Field(max_length=2048, json_schema_extra=stated(HTTPS_URL))
    # Required by the spec; optional here so public and local repositories need no dummy credentials.
    username: str = Field("", max_length=256)
    password: str = Field("", max_length=4096, repr=False)


class RepositoryCredentials(Body):
    username: str = Field(max_length=256)
    password: str = Field(max_length=4096, repr=False)


class RepositoryOut(Wire):
    name: str
    url: str
    status: str
