"""Path, query and header parameters as /v2/openapi.json states them.

Every schema here is built from the constant the API enforces (the domain's patterns, enums and bounds, request.py's
paging limits), so the document cannot promise more than the API accepts. A route names its query parameters
(`route(query=...)`); a name it uses differently from the table below comes as a Param of its own.
Patterns are anchored `fullmatch` forms of Python regexes that are also valid ECMA-262 (JSON Schema) patterns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Union

from chalicelib.domain import analytics, applications, artifacts, docker_secrets, generic_secrets, logs
from chalicelib.domain import object_store, object_store_secrets, repositories, resource_groups
from chalicelib.domain.filters import SEARCH_MAX
from chalicelib.domain.ids import ID_PATTERN
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.schedules import ScheduleStatus
from chalicelib.domain.tracking.query import MAX_EXECUTION_IDS, MAX_TAG_FILTERS
from chalicelib.schemas.common import anchored

from .request import MAX_LIST_ITEMS, MAX_TOP, METRICS_MAX_TOP, QUERY_TEXT_MAX

Schema = Dict[str, Any]


@dataclass(frozen=True)
class Param:
    name: str
    schema: Schema = field(default_factory=lambda: {"type": "string"})
    description: str = ""
    required: bool = False

    def spec(self, where: str) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name, "in": where, "required": self.required or where == "path",
                               "schema": self.schema}
        if self.description:
            out["description"] = self.description
        return out


ParamLike = Union[str, Param]


def text(max_length: int = QUERY_TEXT_MAX, min_length: int = 0, pattern: str = "") -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if pattern:
        schema["pattern"] = pattern
    return schema


def enum(values) -> Schema:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


def array(items: Schema, max_items: int) -> Schema:
    return {"type": "array", "items": items, "maxItems": max_items}


ID = text(64, 4, anchored(ID_PATTERN))
BOOLEAN: Schema = {"type": "boolean"}
RESOURCE_GROUP_ID = text(253, 3, anchored(resource_groups.RG_ID))
# domain.labels.SELECTOR's `key=value` / `key!=value`, narrowed where Python and JSON Schema regexes differ (Python's
# \s also matches \x1c-\x1f and \x85) and to no ',' (request.list_param splits entries at commas); at most 10 terms
# (LabelSelector's max_terms).
LABEL_SELECTOR = array(text(pattern=r"^[\w./-]+ ?!?= ?[^,\s]*$"), 10)
# object_store.SEGMENT's characters, not starting with '.' (check_object_path refuses '.' and '..' segments).
OBJECT_PATH_SEGMENT = r"[\w=+@~,-][\w.=+@~,-]*"
# $filter on metrics: only executionId eq/in (tracking.query); anything else answers 501.
_QUOTED_ID = r"'[\w.-]{4,64}'"
FILTER_EXPRESSION = text(pattern=rf"^executionId (?:eq {_QUOTED_ID}|in \({_QUOTED_ID}(?:,{_QUOTED_ID}){{0,"
                      rf"{MAX_EXECUTION_IDS - 1}}}\))$")
_TAG_TERM = r"[^=!,\s%][^=!,%]*(?:!?=[^,%]*)?"
TAG_FILTERS = text(pattern=rf"^{_TAG_TERM}(?:,{_TAG_TERM}){{0,{MAX_TAG_FILTERS - 1}}}$")

TOP = Param("$top", {"type": "integer", "minimum": 0, "maximum": MAX_TOP}, "Number of results to return")
SKIP = Param("$skip", {"type": "integer", "minimum": 0}, "Number of results to skip")

QUERY: Dict[str, Param] = {p.name: p for p in (
    TOP, SKIP,
    Param("$count", BOOLEAN, "true: `count` is the number of all matches, not of this page"),
    Param("$search", text(SEARCH_MAX, 1, r"^[^~]*$"), "Substring to look for"),
    Param("searchCaseInsensitive", BOOLEAN),
    Param("labelSelector", LABEL_SELECTOR, "key=value or key!=value, all must hold"),
    Param("executableIds", array(ID, MAX_LIST_ITEMS)),
    Param("configurationId", ID),
    Param("scenarioId", ID),
    Param("executionId", ID),
    Param("executionScheduleId", ID),
    Param("status", enum(Status)),
    Param("$select", {"type": "string", "enum": ["status"]}, "status: only the status fields"),
    Param("$expand", {"type": "string", "enum": ["scenario"]}),
    Param("name", text(256)),
    Param("kind", enum(artifacts.ArtifactKind)),
    # SELECTOR_TERM with a value free of whitespace too: list_param strips each comma-separated term.
    Param("artifactLabelSelector", array(text(pattern=r"^ext\.ai\.sap\.com/[\w.-]+!?=[^\s=,]+$"),
                                         artifacts.MAX_SELECTOR_TERMS)),
    Param("versionId", text(64, 1)),
    Param("overwrite", BOOLEAN, "Replace an existing file"),
)}

# Names that some routes read differently from QUERY.
RESOURCE_GROUP_SEARCH = Param("$search", text(256, 1), "Substring of the resource group id")
SCHEDULE_STATUS = Param("status", enum(ScheduleStatus))
KPI_COLUMNS = Param("$select", array(enum(analytics.COLUMNS), len(analytics.COLUMNS)), "Columns to return")
METRICS_SELECT = Param("$select", array({"type": "string", "enum": ["metrics", "tags", "customInfo", "*"]}, 4))
METRICS_TOP = Param("$top", {"type": "integer", "minimum": 0, "maximum": METRICS_MAX_TOP})
METRICS_EXECUTION_IDS = Param("executionIds", array(ID, MAX_EXECUTION_IDS) | {"minItems": 1}, required=True,
                              description="Executions to read (or give $filter instead)")
METRICS_FILTER = Param("$filter", FILTER_EXPRESSION, "executionId eq 'id' or executionId in ('id1','id2')")
METRICS_TAG_FILTERS = Param("tagFilters", TAG_FILTERS, "name=value, name!=value or name, comma separated")
METRICS_EXECUTION = Param("executionId", ID, required=True)
LOG_TOP = Param("$top", {"type": "integer", "minimum": 1, "maximum": logs.MAX_TOP})
LOG_ORDER = Param("$order", enum(logs.ORDERS))
LOG_START = Param("start", {"type": "string", "format": "date-time"})
LOG_END = Param("end", {"type": "string", "format": "date-time"})

# Path parameters by the name the routes give them; `{name}` differs per resource, so those routes pass their own.
PATH: Dict[str, Param] = {p.name: p for p in (
    *(Param(n, ID) for n in ("execution_id", "deployment_id", "configuration_id", "artifact_id", "schedule_id",
                             "scenario_id", "executable_id")),
    Param("resource_group_id", RESOURCE_GROUP_ID),
    Param("application_name", text(63, 3, anchored(applications.NAME))),
    Param("repository_name", text(51, 1, anchored(repositories.NAME))),
    Param("service_name", text(100, 1)),
    Param("credential", text(4096, 1), "The run's tracking credential"),
    Param("object_store_secret", text(233, 1, anchored(object_store_secrets.NAME))),
    Param("file_path", text(255, 1, anchored(OBJECT_PATH_SEGMENT)),
          "The file below the secret's pathPrefix; a deeper path (data/train.csv) goes in more path segments"),
)}
DOCKER_SECRET_NAME = Param("name", text(63, 2, anchored(docker_secrets.NAME)))
GENERIC_SECRET_NAME = Param("name", text(252, 1, anchored(generic_secrets.NAME)))
# Object store secrets are addressed by their stored name, `<name>-object-store-secret`.
OBJECT_STORE_SECRET_NAME = Param("name", text(253, 1, anchored(object_store_secrets.PATH_NAME)))

RESOURCE_GROUP_HEADER = Param("AI-Resource-Group", RESOURCE_GROUP_ID, "The resource group the call works in",
                              required=True)
OPTIONAL_RESOURCE_GROUP_HEADER = Param("AI-Resource-Group", RESOURCE_GROUP_ID,
                                       "The resource group (default: `default`)")

# Generic secrets: a resource group's, or with AI-Tenant-Scope: true the tenant's own.
SECRETS_RESOURCE_GROUP_HEADER = Param("AI-Resource-Group", RESOURCE_GROUP_ID,
                                      "The resource group (with AI-Tenant-Scope: true, the tenant's secrets)",
                                      required=True)
TENANT_SCOPE_HEADER = Param("AI-Tenant-Scope", BOOLEAN, "true: the tenant's own secrets, not a resource group's")


def query_param(item: ParamLike) -> Param:
    return item if isinstance(item, Param) else QUERY[item]


def path_param(name: str, overrides: Dict[str, Param]) -> Param:
    return overrides.get(name) or PATH[name]
