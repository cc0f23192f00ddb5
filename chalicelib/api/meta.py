"""/v2/lm/meta, /lm/meta/versions, /lm/healthz, /admin/tenantInfo and the honest-empty admin reads."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.schemas.resource_groups import NodeReservation

from .parameters import KPI_COLUMNS
from .routing import route

bp = Blueprint(__name__)

API_VERSION = "2.42.0"


def capabilities() -> dict:
    settings = container().settings
    min_interval = settings.schedule_min_interval_seconds
    return {
        "runtimeIdentifier": "aicore-oss",
        "runtimeApiVersion": API_VERSION,
        "description": "AI API compatible ML operations backend (open source)",
        "aiApi": {
            "version": API_VERSION,
            "capabilities": {
                "multitenant": True, "shareable": True, "staticDeployments": True, "userDeployments": True,
                "userExecutions": True, "timeToLiveDeployments": True, "executionSchedules": True,
                "logs": {"executions": True, "deployments": True},
                "bulkUpdates": {"executions": True, "deployments": True},
            },
            "limits": {
                "executions": {"maxRunningCount": -1},
                "deployments": {"maxRunningCount": -1},
                "timeToLiveDeployments": {"minimum": "10m", "maximum": "-1"},
                # AI Core documents hours; the local default is a minute, so say both.
                "minimumFrequencyHour": round(min_interval / 3600, 4),
                "minimumFrequencySeconds": min_interval,
            },
        },
        "extensions": {
            "analytics": {"version": "1.0.0"},
            "resourceGroups": {"version": "1.0.0"},
            "dataset": {
                "version": "1.0.0",
                "capabilities": {"upload": True, "download": True, "delete": True},
                "limits": {"maxUploadFileSize": settings.max_dataset_file_bytes,
                           "maxFilesPerDataset": -1, "acceptedContentTypes": []},
            },
            "metrics": {"version": "1.0.0", "capabilities": {"extendedResults": True}},
        },
    }


@route(bp, "/v2/lm/meta")
def meta(req):
    return capabilities()


@route(bp, "/v2/lm/meta/versions")
def versions(req):
    base = container().settings.base_url
    return {"versions": [{"versionId": API_VERSION, "url": f"{base}/v2/lm",
                          "description": "AI API (SAP AI Core compatible)"}]}


@route(bp, "/v2/lm/healthz", public=True)
def healthz(req):
    return {"status": "READY", "message": "Service is up and running"}


@route(bp, "/v2/admin/tenantInfo")
def tenant_info(req):
    return {"tenantId": req.ctx.tenant, "servicePlan": "extended", "status": "PROVISIONED"}


@route(bp, "/v2/admin/services")
def services(req):
    return {"count": 0, "resources": []}


@route(bp, "/v2/admin/services/{service_name}")
def service(req, service_name):
    raise NotFound(f"No AI service named '{service_name[:100]}': this stack offers none (the list is empty).",
                   target="serviceName")


# Resource plans map to nothing here (steps and predictors are host processes locally, pods sized by the cluster on
# AWS), so there are no instance types to list and no warm nodes to reserve; SAP's JS SDK exposes all three calls.
@route(bp, "/v2/admin/resources/instanceTypes")
def instance_types(req):
    return {"instanceTypes": {}}


@route(bp, "/v2/admin/resources/nodes")
def nodes(req):
    return {"resourcePlans": {}}


@route(bp, "/v2/admin/resources/nodes", ["PATCH"], body=NodeReservation,
       summary="Reserve warm nodes per resource plan (none here: no plan has a node pool)")
def reserve_nodes(req):
    plans = [plan for plan in req.body(NodeReservation).resource_plans if plan.request > 0]
    if plans:
        raise InvalidInput(f"Resource plan '{plans[0].name}' has no node pool on this stack, so no nodes can be "
                           "reserved for it (GET /v2/admin/resources/nodes lists none).", target="resourcePlans")
    return {"message": "Nothing to reserve: no resource plan asked for nodes."}


@route(bp, "/v2/analytics/kpis", query=(KPI_COLUMNS,),
       summary="Executions, artifacts and deployments per resource group, scenario and executable")
def kpis(req):
    from chalicelib.domain.analytics import select_columns

    header, rows = container().kpis.table(req.ctx, select_columns(req.list_param("$select")))
    return {"header": header, "rows": rows}


@route(bp, "/v2/lm/scenarios/{scenario_id}/models", resource_group=True)
def models(req, scenario_id):
    # No foundation-model catalogue here: an honest empty list.
    return {"count": 0, "resources": []}


for _name in ("resourceGroups", "executables", "applications", "repositories", "secrets",
              "dockerRegistrySecrets"):
    route(bp, f"/v2/admin/resourceQuota/{_name}")(lambda req: {"usage": {}, "quotas": []})


@route(bp, "/v2/admin/resourceQuota/deployments")
def deployment_quota(req):
    return {"usage": {"count": 0, "items": []}, "quotas": []}
