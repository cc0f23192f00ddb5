"""/v2/lm/configurations: create-only (no PATCH or DELETE exists), resource-group level."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.configurations import ArtifactBinding, Configuration, ParameterBinding
from chalicelib.domain.errors import InvalidInput
from chalicelib.schemas.common import ListOf, ListResponse
from chalicelib.schemas.configurations import ConfigurationCreate, ConfigurationCreated, ConfigurationOut

from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/configurations"
FILTERS = ("scenarioId", "executableIds", "$search", "searchCaseInsensitive")


def count_response(count: int) -> Response:
    """`$count` endpoints answer a bare integer as text/plain (the Python client parses it as JSON)."""
    return Response(body=str(count), status_code=200, headers={"Content-Type": "text/plain"})


def expand_scenario(req) -> bool:
    value = req.text("$expand")
    if value is None or value == "":
        return False
    if value != "scenario":
        raise InvalidInput(f"'$expand' supports only 'scenario', got '{value[:100]}'.", target="$expand")
    return True


def _out(configuration: Configuration) -> ConfigurationOut:
    data = configuration.model_dump()
    data["scenario"] = configuration.scenario.model_dump() if configuration.scenario else None
    return ConfigurationOut.model_validate(data)


def _filters(req) -> dict:
    return dict(scenario_id=req.id_param("scenarioId"), executable_ids=req.list_param("executableIds"),
                search=req.text("$search"), case_insensitive=req.flag("searchCaseInsensitive"))


@route(bp, BASE, ["POST"], status=201, resource_group=True, body=ConfigurationCreate,
       response=ConfigurationCreated, summary="Create a configuration (checked against its executable)")
def create(req):
    body = req.body(ConfigurationCreate)
    configuration = container().configurations.create(
        req.ctx, body.name, body.scenario_id, body.executable_id,
        [ParameterBinding(key=b.key, value=b.value) for b in body.parameter_bindings or []],
        [ArtifactBinding(key=b.key, artifact_id=b.artifact_id) for b in body.input_artifact_bindings or []])
    return json_response(ConfigurationCreated(id=configuration.id), 201, {"Location": f"{BASE}/{configuration.id}"})


@route(bp, BASE, ["GET"], resource_group=True, response=ListOf(ConfigurationOut),
       query=FILTERS + ("$top", "$skip", "$expand"), summary="List configurations")
def query(req):
    skip, top = req.paging()
    listing = container().configurations.query(req.ctx, **_filters(req), skip=skip, top=top,
                                               expand=expand_scenario(req))
    return ListResponse[ConfigurationOut](count=listing.count, resources=[_out(c) for c in listing.items])


@route(bp, BASE + "/$count", ["GET"], resource_group=True, query=FILTERS,
       content_type="text/plain", summary="Count configurations")
def count(req):
    return count_response(container().configurations.count(req.ctx, **_filters(req)))


@route(bp, BASE + "/{configuration_id}", ["GET"], resource_group=True, response=ConfigurationOut,
       query=("$expand",), summary="Get a configuration")
def get(req, configuration_id):
    return _out(container().configurations.get(req.ctx, configuration_id, expand=expand_scenario(req)))
