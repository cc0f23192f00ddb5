"""/v2/lm/scenarios: the Git-synced catalog. Tenant-level data, but the routes still require a resource group."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.labels import LabelSelector
from chalicelib.schemas.common import ListOf, ListResponse
from chalicelib.schemas.scenarios import ExecutableOut, ScenarioOut, VersionOut

from .routing import route

bp = Blueprint(__name__)
BASE = "/v2/lm/scenarios"
ITEM = BASE + "/{scenario_id}"


def _executable(exe) -> ExecutableOut:
    data = exe.model_dump(exclude={"application", "source_file", "template"})
    for key in ("input_artifacts", "output_artifacts"):
        for artifact in data[key]:
            artifact["labels"] = artifact["labels"] or None  # absent rather than []: keeps the entry minimal
    return ExecutableOut.model_validate(data)


@route(bp, BASE, ["GET"], resource_group=True, response=ListOf(ScenarioOut), summary="List scenarios")
def query(req):
    items = [ScenarioOut.model_validate(s.model_dump()) for s in container().catalog.scenarios(req.ctx)]
    return ListResponse[ScenarioOut](count=len(items), resources=items)


@route(bp, ITEM, ["GET"], resource_group=True, response=ScenarioOut, summary="Get a scenario")
def get(req, scenario_id):
    return ScenarioOut.model_validate(container().catalog.scenario(req.ctx, scenario_id).model_dump())


@route(bp, ITEM + "/versions", ["GET"], resource_group=True, response=ListOf(VersionOut),
       query=("labelSelector",), summary="List a scenario's versions")
def versions(req, scenario_id):
    selector = LabelSelector(req.list_param("labelSelector"), param="labelSelector")
    items = [VersionOut(id=v.id, description=v.description, scenario_id=v.scenario_id, created_at=v.created_at,
                        modified_at=v.modified_at)
             for v in container().catalog.versions(req.ctx, scenario_id, selector)]
    return ListResponse[VersionOut](count=len(items), resources=items)


@route(bp, ITEM + "/executables", ["GET"], resource_group=True, response=ListOf(ExecutableOut),
       query=("versionId",), summary="List a scenario's executables")
def executables(req, scenario_id):
    items = [_executable(e) for e in container().catalog.executables(req.ctx, scenario_id, req.text("versionId"))]
    return ListResponse[ExecutableOut](count=len(items), resources=items)


@route(bp, ITEM + "/executables/{executable_id}", ["GET"], resource_group=True, response=ExecutableOut,
       summary="Get an executable")
def executable(req, scenario_id, executable_id):
    return _executable(container().catalog.executable(req.ctx, scenario_id, executable_id))
