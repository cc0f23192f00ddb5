"""TEMPORARY: the old walk (chalicelib/domain/workflow.py, NodeRunner.run(node, attempt) -> exit code) on top of
`run_pod`, until engine.py walks with chalicelib/domain/argo/interpreter.py. Delete this module then.

The old walk resolves no artifact `from`, so here an input artifact that the configuration does not bind takes
the latest output artifact of that name an earlier pod stored (enough for the engine tests' two-step templates).
"""
from __future__ import annotations

from chalicelib.domain.argo.pods import ERROR, FAILED, ArtifactInput, Cancelled as PodCancelled, PodRequest, \
    StoredArtifact
from chalicelib.domain.workflow import Cancelled, WorkflowError


def run_node(steps, node, attempt: int) -> int:
    template = node.template
    inputs = []
    for item in (template.get("inputs") or {}).get("artifacts") or []:
        name, path = item.get("name"), item.get("path")
        if not name or not path:
            continue
        if (item.get("raw") or {}).get("data") is not None:
            inputs.append(ArtifactInput(name, path, raw=str(item["raw"]["data"]), optional=bool(item.get("optional"))))
        elif (item.get("s3") or {}).get("key"):
            inputs.append(ArtifactInput(name, path, stored=StoredArtifact(item["s3"]["key"])))
        elif name not in steps.inputs and name in steps._legacy_outputs:
            inputs.append(ArtifactInput(name, path, stored=steps._legacy_outputs[name]))
        else:
            inputs.append(ArtifactInput(name, path, binding=name, optional=bool(item.get("optional"))))
    spec_of = template.get("container") or template.get("script") or {}
    mounts = [m.get("name") for m in spec_of.get("volumeMounts") or [] if isinstance(m, dict)]
    request = PodRequest(path=node.step, pod=node.pod, template=template, artifacts=inputs, attempt=attempt,
                         volumes=[{"name": m, "emptyDir": {}} for m in mounts])  # the old walk passes no volumes
    try:
        result = steps.run_pod(request)
    except PodCancelled:
        raise Cancelled() from None
    steps._legacy_outputs.update(result.artifacts)
    if result.phase == ERROR:
        raise WorkflowError(f"Step '{node.step}': {result.message}")
    if result.phase == FAILED and attempt >= node.attempts and ": " in result.message:
        hint = result.message.split(": ", 1)[1]
        raise WorkflowError(f"Step '{node.step}' failed with exit code {result.exit_code}"
                            + (f" after {node.attempts} attempts" if node.attempts > 1 else "") + f": {hint}")
    return 0 if result.phase != FAILED else (result.exit_code if result.exit_code else 1)
