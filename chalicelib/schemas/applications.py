"""Wire models for /admin/applications (Argo CD-style applications syncing templates from Git)."""
from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional

from pydantic import Field

from chalicelib.domain import applications, repositories

from .common import Body, Wire, stated

# What domain.applications accepts, as patterns: a revision of '/'- or '.'-separated parts (no '..', '//' or
# trailing '.'/'/'), a relative path without '..' or '.' parts, an https:// repository URL.
REVISION = r"^[A-Za-z0-9_][\w-]*(?:[./][\w-]+)*$"
RELATIVE_PATH = r"^(?:[\w-][\w.-]*)?(?:/[\w-][\w.-]*)*$"
HTTPS_URL = r"^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[\w.~%+-]*)*$"


class ApplicationCreate(Body):
    """One of repositoryUrl / repositoryName says which on-boarded repository to sync."""

    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {
        "anyOf": [{"required": ["repositoryUrl"]}, {"required": ["repositoryName"]}]}

    repository_url: Optional[str] = Field(None, max_length=2048, json_schema_extra=stated(pattern=HTTPS_URL))
    repository_name: Optional[str] = Field(None, max_length=51, json_schema_extra=stated(repositories.NAME))
    revision: str = Field(max_length=255, json_schema_extra=stated(REVISION))
    path: str = Field(max_length=1024, json_schema_extra=stated(RELATIVE_PATH))
    application_name: Optional[str] = Field(None, max_length=63, json_schema_extra=stated(applications.NAME))


class ApplicationPatch(Body):
    repository_url: str = Field(max_length=2048, json_schema_extra=stated(HTTPS_URL))
    revision: str = Field(max_length=255, json_schema_extra=stated(REVISION))
    path: str = Field(max_length=1024, json_schema_extra=stated(RELATIVE_PATH))


class ApplicationOut(Wire):
    application_name: str
    repository_url: str
    revision: str
    path: str


class SyncResource(Wire):
    name: str
    kind: str
    status: str
    message: str


class ApplicationSource(Wire):
    repo_url: str = Field(alias="repoURL")
    path: str
    revision: str


class ApplicationStatusOut(Wire):
    """Timestamps are strings; like AI Core, a value not known yet is the literal "Unknown"."""

    health_status: str
    sync_status: str
    message: str
    source: ApplicationSource
    sync_started_at: str
    sync_finished_at: str
    reconciled_at: str
    sync_resources_status: List[SyncResource]
    sync_ressources_status: List[SyncResource]  # the spec's deprecated, misspelled duplicate
