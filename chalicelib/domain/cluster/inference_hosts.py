"""The virtual host under which the cluster's ingress serves a deployment's InferenceService.

KServe names it from its `ingress.domainTemplate` (config map `inferenceservice-config`), by default
`{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}`; the inference path's authorizer must name the same host, so the
stage is configured with the very template and domain the cluster's KServe uses. Only the three fields KServe always
fills are understood: a template naming others (annotations, labels) is refused when the settings are read.
"""
from __future__ import annotations

import re

from ..errors import InvalidInput
from .inference_service import inference_service_name
from .namespaces import namespace_for

KSERVE_DEFAULT_TEMPLATE = "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}"
_FIELD = re.compile(r"{{\s*\.(\w+)\s*}}")
_KNOWN = ("Name", "Namespace", "IngressDomain")


def check_domain_template(template: str) -> str:
    unknown = [f for f in _FIELD.findall(template) if f not in _KNOWN]
    if unknown or "{{" in _FIELD.sub("", template):
        raise InvalidInput(f"Ingress domain template '{template}': only {{{{ .Name }}}}, {{{{ .Namespace }}}} and "
                           "{{ .IngressDomain }} are understood (KServe's ingress.domainTemplate).")
    return template


def ingress_host(template: str, domain: str, tenant: str, resource_group: str, deployment_id: str) -> str:
    values = {"Name": inference_service_name(deployment_id), "Namespace": namespace_for(tenant, resource_group),
              "IngressDomain": domain}
    return _FIELD.sub(lambda m: values[m[1]], check_domain_template(template))
