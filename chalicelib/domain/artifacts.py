"""Artifacts: registered references (URL + metadata) to datasets, models and results. Nothing is uploaded here.

Users register inputs with POST /lm/artifacts; the engine registers an execution's outputs through
`ArtifactService.register(..., execution_id=...)`.
"""
from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Callable, ClassVar, Iterable, List, Optional

from pydantic import Field

from .clock import Clock
from .configurations import find_scenario
from .context import TenantContext
from .entity import Entity
from .errors import InvalidInput, NotFound
from .filters import Filter, Listing, search_predicate
from .ids import uuid7
from .labels import KeyValue, LabelSelector
from .records import Kind, Record, RecordStore, Where
from .runs import require_id
from .scenarios import Scenario

URL = re.compile(r"^[a-z0-9-]+://.+$")
AI_URL = re.compile(r"^ai://(?P<secret>[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)(/(?P<path>.*))?$")
SELECTOR_TERM = re.compile(r"^ext\.ai\.sap\.com/[\w.-]+!?=[^ =,]+$")
MAX_SELECTOR_TERMS = 10


class ArtifactKind(str, Enum):
    MODEL = "model"
    DATASET = "dataset"
    RESULTSET = "resultset"
    OTHER = "other"


class Artifact(Entity):
    KIND: ClassVar[Kind] = Kind.ARTIFACT

    id: str
    name: str
    kind: ArtifactKind
    url: str
    scenario_id: str
    description: Optional[str] = None
    labels: List[KeyValue] = []
    configuration_id: Optional[str] = None
    execution_id: Optional[str] = None  # set for outputs of an execution
    created_at: datetime
    modified_at: datetime
    scenario: Optional[Scenario] = Field(default=None, exclude=True)  # only for `$expand=scenario`


def validate_url(url: str) -> str:
    """Any scheme://... as the spec allows; ai:// URLs must name an object-store secret and a clean path."""
    if len(url) > 1024 or not URL.match(url):
        raise InvalidInput(f"'url' must look like <scheme>://<location> (at most 1024 characters), got '{url[:100]}'.",
                           target="url")
    if url.startswith("ai://"):
        match = AI_URL.match(url)
        segments = (match["path"] or "").split("/") if match else []
        if not match or "\\" in url or any(s in (".", "..") for s in segments):
            raise InvalidInput(f"'url' '{url[:100]}' must look like ai://<object-store-secret>/<path> with a lower-case "
                               "secret name and no '.' or '..' path segments.", target="url")
    return url


def label_selector(terms: Iterable[str]) -> LabelSelector:
    """`artifactLabelSelector`: ext.ai.sap.com/<k>=<v> or !=, AND-ed; a ',' inside a value arrives as '{comma}'."""
    terms = list(terms)
    if len(terms) > MAX_SELECTOR_TERMS:
        raise InvalidInput(f"'artifactLabelSelector' takes at most {MAX_SELECTOR_TERMS} entries.",
                           target="artifactLabelSelector")
    for term in terms:
        if not SELECTOR_TERM.match(term):
            raise InvalidInput(f"'artifactLabelSelector' entry '{term[:100]}' must be ext.ai.sap.com/<key>=<value> "
                               "or ext.ai.sap.com/<key>!=<value>.", target="artifactLabelSelector")
    decoded = [term.replace("{comma}", ",") for term in terms]
    return LabelSelector(decoded, max_terms=MAX_SELECTOR_TERMS, param="artifactLabelSelector")


class ArtifactService:
    def __init__(self, store: RecordStore, clock: Clock, new_id: Callable[[], str] = uuid7):
        self._store = store
        self._clock = clock
        self._new_id = new_id

    def register(self, ctx: TenantContext, name: str, kind: ArtifactKind, url: str, scenario_id: str,
                 description: Optional[str] = None, labels: Optional[List[KeyValue]] = None,
                 execution_id: Optional[str] = None, configuration_id: Optional[str] = None) -> Artifact:
        now = self._clock.now()
        artifact = Artifact(id=self._new_id(), name=name, kind=kind, url=validate_url(url),
                            scenario_id=require_id(scenario_id, "Scenario"), description=description,
                            labels=labels or [], execution_id=execution_id, configuration_id=configuration_id,
                            created_at=now, modified_at=now)
        record = artifact.to_record(artifact.id)
        if execution_id is None:
            self._store.create(ctx, record)
        else:  # and a copy keyed by the execution, so its outputs are one Query (artifacts never change)
            self._store.create_many(ctx, [record, Record(Kind.EXECUTION_OUTPUT, f"{execution_id}/{artifact.id}",
                                                         record.doc)])
        return artifact

    def get(self, ctx: TenantContext, artifact_id: str, expand: bool = False) -> Artifact:
        require_id(artifact_id, "Artifact")
        record = self._store.get(ctx, Kind.ARTIFACT, artifact_id)
        if record is None:
            raise NotFound(f"Artifact '{artifact_id}' not found in resource group '{ctx.resource_group}'.")
        return self._expanded(ctx, [Artifact.from_record(record)], expand)[0]

    def query(self, ctx: TenantContext, *, scenario_id: Optional[str] = None, execution_id: Optional[str] = None,
              name: Optional[str] = None, kind: Optional[str] = None, selector: Iterable[str] = (),
              search: Optional[str] = None, case_insensitive: bool = False, skip: int = 0,
              top: Optional[int] = None, expand: bool = False) -> Listing[Artifact]:
        if kind is not None and kind not in {k.value for k in ArtifactKind}:
            raise InvalidInput(f"'kind' must be one of model, dataset, resultset, other; got '{kind[:100]}'.",
                               target="kind")
        labels = label_selector(selector)
        where = (Filter().eq("scenario_id", scenario_id).eq("execution_id", execution_id).eq("name", name)
                 .eq("kind", kind)
                 .check((lambda doc: labels.matches(doc.get("labels") or [])) if labels.terms else None)
                 .check(search_predicate(search, case_insensitive, ("name", "description"))))
        page = self._store.query(ctx, Kind.ARTIFACT, where.where, where.predicate, skip, top)
        return Listing(page.count, self._expanded(ctx, [Artifact.from_record(r) for r in page.items], expand))

    def count(self, ctx: TenantContext, **filters) -> int:
        return self.query(ctx, **filters, skip=0, top=0).count

    def outputs_of(self, ctx: TenantContext, execution_id: str) -> List[Artifact]:
        """Read on every GET of an execution: a Query of its own output copies, not a filter over every
        artifact of the resource group."""
        records = self._store.iterate(ctx, Kind.EXECUTION_OUTPUT, id_prefix=f"{execution_id}/")
        return [Artifact.from_record(r) for r in records]

    def _expanded(self, ctx: TenantContext, items: List[Artifact], expand: bool) -> List[Artifact]:
        if expand:
            scenarios = {sid: find_scenario(self._store, ctx, sid) for sid in {a.scenario_id for a in items}}
            for item in items:
                item.scenario = scenarios[item.scenario_id]
        return items
