"""Structural check of Argo WorkflowTemplates with hera's generated Argo models.

hera costs ~0.6 s to import, so it is imported on the first validation (sync path only, never on a request).
"""
from __future__ import annotations

from typing import Any, Dict, List


def validate_workflow_template(document: Dict[str, Any]) -> List[str]:
    """Problems as 'field.path: message' lines; empty when the document matches Argo's schema."""
    from hera.workflows.models import WorkflowTemplate
    from pydantic import ValidationError

    try:
        WorkflowTemplate.model_validate(document)
    except ValidationError as err:
        return [f"{'.'.join(str(p) for p in item.get('loc', ())) or 'document'}: {item.get('msg', 'invalid')}"
                for item in err.errors()]
    return []


def warm_up() -> None:
    """Import hera ahead of the first sync (the local worker calls this once it has started)."""
    import hera.workflows.models  # noqa: F401
