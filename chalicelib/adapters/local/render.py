"""`make render FILE=path/to/template.yaml [PARAMS="name=value ..."] [ARTIFACTS="name=ai://default/path ..."]`:
print, as YAML, what the cluster path would submit for each template of the file: the Argo `Workflow` for a
WorkflowTemplate, the KServe `InferenceService` for a ServingTemplate. Needs no stack and no cluster, so ids,
namespace, bucket and endpoint are placeholders where a run would have real ones.

Input artifacts can only be given in the group's `default` object store here (the platform bucket, reached by
the pods' service account, IRSA); other stores are resolved through their object store secret, which needs a stack.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from chalicelib.domain.argo.pods import WorkflowError
from chalicelib.domain.cluster.inference_service import deployment_inference_service
from chalicelib.domain.cluster.inference_service import pull_secret_names as serving_pull_secrets
from chalicelib.domain.cluster.namespaces import WORKLOAD_SERVICE_ACCOUNT, namespace_for
from chalicelib.domain.cluster.resource_plans import DEFAULT_RESOURCE_PLANS
from chalicelib.domain.cluster.secret_manifests import kubernetes_secret_name
from chalicelib.domain.cluster.workflow_manifest import ExecutionSpec, S3Location, execution_workflow
from chalicelib.domain.cluster.workflow_manifest import pull_secret_names as workflow_pull_secrets
from chalicelib.domain.errors import DomainError
from chalicelib.domain.object_store import parse_ai_url
from chalicelib.domain.templates import SERVING, WORKFLOW, TemplateError, load_documents

# Placeholders: a run has its own.
EXECUTION_ID = "execution-id"
DEPLOYMENT_ID = "deployment-id"
CONFIGURATION_ID = "configuration-id"
TENANT, RESOURCE_GROUP = "tenant-id", "default"
NAMESPACE = namespace_for(TENANT, RESOURCE_GROUP)
BUCKET = "artifacts-bucket"
DEFAULT_STORE = S3Location(BUCKET, f"tenants/{TENANT}/{RESOURCE_GROUP}")  # the platform store's prefix
TRACKING_ENDPOINT = "https://api.example.com/v2/lm/executions/execution-id/tracking"


# What a bad file, parameter or artifact raises: reported as "<file>: <message>" by `make render` and
# `aicore-ops render` alike.
RENDER_ERRORS = (OSError, ValueError, TemplateError, WorkflowError, DomainError)


def error_message(err: Exception) -> str:
    return getattr(err, "message", None) or str(err)


def pairs(items: List[str], what: str) -> Dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} '{item}' is not name=value")
        pairs[name] = value
    return pairs


def _default_locations(artifacts: Dict[str, str]) -> Dict[str, S3Location]:
    locations = {}
    for name, url in artifacts.items():
        secret, path = parse_ai_url(url)
        if secret != "default":
            raise ValueError(f"artifact '{name}': {url} is in object store '{secret}'; without a stack only "
                             "ai://default/... (the platform's store) can be rendered")
        locations[name] = DEFAULT_STORE.joined(path)
    return locations


def _workflow(document: dict, params: Dict[str, str], inputs: Dict[str, S3Location]) -> dict:
    spec = ExecutionSpec(
        execution_id=EXECUTION_ID, namespace=NAMESPACE, parameters=params, inputs=inputs, outputs=DEFAULT_STORE,
        env={"AICORE_EXECUTION_ID": EXECUTION_ID, "AICORE_TRACKING_ENDPOINT": TRACKING_ENDPOINT},
        pull_secrets=[kubernetes_secret_name(n) for n in workflow_pull_secrets(document)],
        service_account=WORKLOAD_SERVICE_ACCOUNT, resource_plans=DEFAULT_RESOURCE_PLANS)
    return execution_workflow(document, spec)


def _inference_service(document: dict, params: Dict[str, str], inputs: Dict[str, S3Location]) -> dict:
    return deployment_inference_service(
        document, deployment_id=DEPLOYMENT_ID, namespace=NAMESPACE, parameters=params,
        artifacts={name: f"s3://{loc.bucket}/{loc.key}" for name, loc in inputs.items()},
        pull_secrets=[kubernetes_secret_name(n) for n in serving_pull_secrets(document, params)],
        service_account=WORKLOAD_SERVICE_ACCOUNT, resource_plans=DEFAULT_RESOURCE_PLANS,
        configuration_id=CONFIGURATION_ID)


def render_file(text: str, params: Dict[str, str], artifacts: Dict[str, str]) -> List[dict]:
    inputs = _default_locations(artifacts)
    rendered = []
    for document in load_documents(text):
        kind = document.get("kind") if isinstance(document, dict) else None
        if kind == WORKFLOW:
            rendered.append(_workflow(document, params, inputs))
        elif kind == SERVING:
            rendered.append(_inference_service(document, params, inputs))
        else:
            raise ValueError(f"a document of kind '{kind}' is neither a {WORKFLOW} nor a {SERVING}")
    return rendered


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="make render", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--param", action="append", default=[], help="name=value (repeatable)")
    parser.add_argument("--artifact", action="append", default=[], help="name=ai://default/path (repeatable)")
    args = parser.parse_args(argv)
    try:
        text = args.file.read_text()
        documents = render_file(text, pairs(args.param, "parameter"), pairs(args.artifact, "artifact"))
    except RENDER_ERRORS as err:
        print(f"make render: {args.file}: {error_message(err)}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(documents, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
