"""Apply one application's parsed template files to the stored scenarios and executables.

Rules (AI Core's, plus ours for errors): an executable id is unique in the tenant; a file with any problem keeps
what it produced before (never deletes a working executable); executables whose file left the repository go;
scenarios without executables go.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Dict, List, Optional, Set, Tuple

from .applications import ResourceStatus
from .clock import Clock
from .context import TenantContext
from .errors import AlreadyExists, Conflict
from .records import Kind, RecordStore
from .scenarios import Executable, Scenario
from .templates import WORKFLOW, FileOutcome, ParsedTemplate, TemplateError

RESOURCE_GROUPS = {WORKFLOW: "workflowtemplate.argoproj.io"}
SERVING_GROUP = "servingtemplate.ai.sap.com"
OUT_OF_SYNC, SYNCED = "OutOfSync", "Synced"


class Reconciler:
    def __init__(self, store: RecordStore, clock: Clock):
        self._store = store
        self._clock = clock

    def apply(self, ctx: TenantContext, application: str, outcomes: List[FileOutcome]) -> List[ResourceStatus]:
        now = self._clock.now()
        existing = {e.id: e for e in self._executables(ctx)}
        mine: Dict[str, List[Executable]] = defaultdict(list)
        for exe in existing.values():
            if exe.application == application:
                mine[exe.source_file or ""].append(exe)
        claims: Dict[str, str] = {i: f"application '{e.application}'" for i, e in existing.items()
                                  if e.application != application}
        desired: Dict[str, Executable] = {}
        statuses: List[ResourceStatus] = []

        def keep_previous(path: str) -> None:
            for exe in mine.get(path, []):
                if exe.id not in claims:
                    claims[exe.id] = f"file '{path}'"
                    desired[exe.id] = exe
                    statuses.append(ResourceStatus(name=exe.id, kind=_kind(exe), status=OUT_OF_SYNC,
                                                   message=f"kept from an earlier sync: {path} has errors"))

        outcomes = sorted(outcomes, key=lambda o: o.path)
        for outcome in [o for o in outcomes if not o.ok]:
            statuses.extend(_problems(outcome))
            keep_previous(outcome.path)
        for outcome in [o for o in outcomes if o.ok]:
            clashes = _clashes(outcome, claims)
            if clashes:
                outcome.errors.extend(clashes)
                statuses.extend(_problems(outcome))
                keep_previous(outcome.path)
                continue
            for template in outcome.templates:
                claims[template.executable_id] = f"file '{outcome.path}'"
                desired[template.executable_id] = _executable(template, application, outcome.path,
                                                              existing.get(template.executable_id), now)
        changed_scenarios = self._write_executables(ctx, application, existing, desired, statuses)
        sound = [t for o in outcomes if o.ok for t in o.templates]
        self._write_scenarios(ctx, sound, changed_scenarios, now)
        return statuses

    def remove_application(self, ctx: TenantContext, application: str) -> None:
        for exe in self._executables(ctx):
            if exe.application == application:
                self._store.delete(ctx, Kind.EXECUTABLE, Executable.record_id(exe.scenario_id, exe.id))
        self._write_scenarios(ctx, [], set(), self._clock.now())

    def _executables(self, ctx: TenantContext) -> List[Executable]:
        return [Executable.from_record(r) for r in self._store.iterate(ctx, Kind.EXECUTABLE)]

    def _write_executables(self, ctx: TenantContext, application: str, existing: Dict[str, Executable],
                           desired: Dict[str, Executable], statuses: List[ResourceStatus]) -> Set[str]:
        changed: Set[str] = set()
        for exe_id, exe in desired.items():
            before = existing.get(exe_id)
            if before is exe:
                continue  # kept from a broken file, untouched
            if before is not None and _same(before, exe):
                statuses.append(_synced(exe, "unchanged"))
                continue
            if before is not None and before.scenario_id != exe.scenario_id:
                self._store.delete(ctx, Kind.EXECUTABLE, Executable.record_id(before.scenario_id, exe_id))
                changed.add(before.scenario_id)
                before = None
            self._put(ctx, exe, before)
            changed.add(exe.scenario_id)
            statuses.append(_synced(exe, "configured" if before else "created"))
        for exe_id, exe in existing.items():
            if exe.application == application and exe_id not in desired:
                self._store.delete(ctx, Kind.EXECUTABLE, Executable.record_id(exe.scenario_id, exe_id))
                changed.add(exe.scenario_id)
        return changed

    def _put(self, ctx: TenantContext, exe: Executable, before: Optional[Executable]) -> None:
        record_id = Executable.record_id(exe.scenario_id, exe.id)
        if before is not None:
            try:
                self._store.replace(ctx, exe.to_record(record_id, before.stored_version))
                return
            except Conflict:
                pass  # changed underneath us (another sync); overwrite with the latest version below
        try:
            self._store.create(ctx, exe.to_record(record_id))
        except AlreadyExists:
            current = self._store.get(ctx, Kind.EXECUTABLE, record_id)
            self._store.replace(ctx, exe.to_record(record_id, current.version if current else None))

    def _write_scenarios(self, ctx: TenantContext, templates: List[ParsedTemplate], changed: Set[str],
                         now: datetime) -> None:
        in_use = {e.scenario_id for e in self._executables(ctx)}
        stored = {s.id: s for s in (Scenario.from_record(r) for r in self._store.iterate(ctx, Kind.SCENARIO))}
        wanted: Dict[str, Scenario] = {}
        for t in templates:
            if t.scenario_id in in_use and t.scenario_id not in wanted:
                before = stored.get(t.scenario_id)
                wanted[t.scenario_id] = Scenario(
                    id=t.scenario_id, name=t.scenario_name, description=t.scenario_description,
                    labels=t.scenario_labels, created_at=before.created_at if before else now, modified_at=now)
        for scenario_id, scenario in wanted.items():
            before = stored.get(scenario_id)
            if before is not None and scenario_id not in changed and _scenario_fields(before) == _scenario_fields(
                    scenario):
                continue
            try:
                if before is None:
                    self._store.create(ctx, scenario.to_record(scenario_id))
                else:
                    self._store.replace(ctx, scenario.to_record(scenario_id, before.stored_version))
            except (AlreadyExists, Conflict):
                pass  # another application's sync wrote it at the same moment; its content is as good
        for scenario_id, before in stored.items():
            if scenario_id not in in_use:
                self._store.delete(ctx, Kind.SCENARIO, scenario_id)


def _kind(exe: Executable) -> str:
    return "ServingTemplate" if exe.deployable else WORKFLOW


def _synced(exe: Executable, verb: str) -> ResourceStatus:
    group = RESOURCE_GROUPS.get(_kind(exe), SERVING_GROUP)
    return ResourceStatus(name=exe.id, kind=_kind(exe), status=SYNCED, message=f"{group}/{exe.id} {verb}")


def _problems(outcome: FileOutcome) -> List[ResourceStatus]:
    return [ResourceStatus(name=err.name or outcome.path, kind=err.kind or "File", status=OUT_OF_SYNC,
                           message=f"{outcome.path}: {err.message}") for err in outcome.errors]


def _clashes(outcome: FileOutcome, claims: Dict[str, str]) -> List[TemplateError]:
    errors, seen = [], set()
    for t in outcome.templates:
        owner = claims.get(t.executable_id)
        if owner is None and t.executable_id in seen:
            owner = "this file"
        if owner is not None:
            errors.append(TemplateError(f"executable id '{t.executable_id}' (the executables.ai.sap.com/id label, "
                                        f"else metadata.name) is already defined by {owner}; executable ids must "
                                        "be unique in the tenant",
                                        t.executable_id, t.kind))
        seen.add(t.executable_id)
    return errors


def _executable(t: ParsedTemplate, application: str, path: str, before: Optional[Executable],
                now: datetime) -> Executable:
    return Executable(
        id=t.executable_id, name=t.name, description=t.description, scenario_id=t.scenario_id,
        version_id=t.version_id, deployable=t.deployable, parameters=t.parameters,
        input_artifacts=t.input_artifacts, output_artifacts=t.output_artifacts, labels=t.labels,
        created_at=before.created_at if before else now, modified_at=now, application=application,
        source_file=path, template=t.document)


def _same(a: Executable, b: Executable) -> bool:
    skip = {"created_at", "modified_at"}
    return a.model_dump(mode="json", exclude=skip) == b.model_dump(mode="json", exclude=skip)


def _scenario_fields(s: Scenario) -> Tuple:
    return s.name, s.description, [(l.key, l.value) for l in s.labels]
