"""`spec.templateDefaults`, merged into every template as Argo's controller does (mergedTemplateDefaultsInto):
the template's own values win; a default of another template type (a `container` default for a `steps`
template) is left out; maps merge key by key, a container's `env` by name and `volumeMounts` by mountPath (the
Kubernetes strategic merge), other lists are the template's own when it has one."""
from __future__ import annotations

import copy
from typing import Any, Dict

TYPES = ("container", "script", "steps", "dag", "suspend", "resource", "containerSet", "data", "http", "plugin")
_BY_KEY = {"env": "name", "volumeMounts": "mountPath"}


def with_template_defaults(document: Any) -> Any:
    """The document with spec.templateDefaults merged into each template (and the field itself gone)."""
    spec = document.get("spec") if isinstance(document, dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("templateDefaults"), dict):
        return document
    defaults = spec["templateDefaults"]
    merged_spec = {k: v for k, v in spec.items() if k != "templateDefaults"}
    merged_spec["templates"] = [_merged(defaults, t) if isinstance(t, dict) else t
                                for t in spec.get("templates") or []]
    return {**document, "spec": merged_spec}


def _merged(defaults: Dict[str, Any], template: Dict[str, Any]) -> Dict[str, Any]:
    own_type = next((t for t in TYPES if t in template), None)
    applicable = {k: v for k, v in defaults.items() if k != "name" and (k not in TYPES or k == own_type)}
    return _merge(applicable, template)


def _merge(base: Any, over: Any, key: str = "") -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = copy.deepcopy(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v, k) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(over, list) and key in _BY_KEY:
        field = _BY_KEY[key]
        named = {item.get(field): item for item in over if isinstance(item, dict)}
        kept = [copy.deepcopy(item) for item in base
                if not (isinstance(item, dict) and item.get(field) in named)]
        return kept + copy.deepcopy(over)
    return copy.deepcopy(over)
