"""/v2/lm/artifacts: register (no upload), list, count and get artifacts of a resource group."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.artifacts import Artifact, ArtifactKind
from chalicelib.domain.labels import KeyValue
from chalicelib.schemas.artifacts import ArtifactCreate, ArtifactCreated, ArtifactOut
from chalicelib.schemas.common import ListOf, ListResponse

from .configurations import count_response, expand_scenario
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/artifacts"
FILTERS = ("scenarioId", "executionId", "name", "kind", "artifactLabelSelector", "$search", "searchCaseInsensitive")


def artifact_out(artifact: Artifact) -> ArtifactOut:
    data = artifact.model_dump()
    data["scenario"] = artifact.scenario.model_dump() if artifact.scenario else None
    return ArtifactOut.model_validate(data)


def _filters(req) -> dict:
    return dict(scenario_id=req.id_param("scenarioId"), execution_id=req.id_param("executionId"),
                name=req.text("name", max_length=256), kind=req.text("kind", max_length=32),
                selector=req.list_param("artifactLabelSelector"), search=req.text("$search"),
                case_insensitive=req.flag("searchCaseInsensitive"))


@route(bp, BASE, ["POST"], status=201, resource_group=True, body=ArtifactCreate, response=ArtifactCreated,
       summary="Register an artifact (metadata and URL; nothing is uploaded)")
def register(req):
    body = req.body(ArtifactCreate)
    labels = [KeyValue(key=label.key, value=label.value) for label in body.labels or []]
    artifact = container().artifacts.register(req.ctx, body.name, ArtifactKind(body.kind), body.url,
                                              body.scenario_id, body.description, labels)
    location = f"{BASE}/{artifact.id}"
    return json_response(ArtifactCreated(id=artifact.id, url=artifact.url), 201,
                         {"Location": location, "Content-Location": location})


@route(bp, BASE, ["GET"], resource_group=True, response=ListOf(ArtifactOut),
       query=FILTERS + ("$top", "$skip", "$expand"), summary="List artifacts")
def query(req):
    skip, top = req.paging()
    listing = container().artifacts.query(req.ctx, **_filters(req), skip=skip, top=top,
                                          expand=expand_scenario(req))
    return ListResponse[ArtifactOut](count=listing.count, resources=[artifact_out(a) for a in listing.items])


@route(bp, BASE + "/$count", ["GET"], resource_group=True, query=FILTERS,
       content_type="text/plain", summary="Count artifacts")
def count(req):
    return count_response(container().artifacts.count(req.ctx, **_filters(req)))


@route(bp, BASE + "/{artifact_id}", ["GET"], resource_group=True, response=ArtifactOut, query=("$expand",),
       summary="Get an artifact")
def get(req, artifact_id):
    return artifact_out(container().artifacts.get(req.ctx, artifact_id, expand=expand_scenario(req)))
