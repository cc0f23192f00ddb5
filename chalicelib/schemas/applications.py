"""Wire models for /admin/applications (Argo CD-style applications syncing templates from Git)."""
from __future__ import annotations

from typing import List, Optional

from pydantic import Field

from .common import Body, Wire


class ApplicationCreate(Body):
    """One of repositoryUrl / repositoryName says which on-boarded repository to sync."""

    repository_url: Optional[str] = Field(None, max_length=2048)
    repository_name: Optional[str] = Field(None, max_length=51)
    revision: str = Field(max_length=255)
    path: str = Field(max_length=1024)
    application_name: Optional[str] = Field(None, max_length=63)


class ApplicationPatch(Body):
    repository_url: str = Field(max_length=2048)
    revision: str = Field(max_length=255)
    path: str = Field(max_length=1024)


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
