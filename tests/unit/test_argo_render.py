"""Rendering a WorkflowTemplate as the Argo Workflow to submit (domain/argo/render.py): the same parameter and
placeholder rules as the local walk, and a document Argo's own model (hera's generated classes) accepts."""
from __future__ import annotations

import pytest
from hera.workflows.models import Workflow

from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import WorkflowError
from chalicelib.domain.argo.render import render_workflow
from tests.support.argo_walk import Runner, call, echo, wf

TEMPLATE = {**wf([{"name": "main", "steps": [[call("a", m="{{workflow.parameters.size}}")]]}, echo()],
                 params=[{"name": "size", "value": "s", "enum": ["s", "m"]}, {"name": "lr", "default": "0.1"}]),
            "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
            "metadata": {"name": "train", "labels": {"scenarios.ai.sap.com/id": "scn"}}}


def test_parameters_are_bound_over_the_templates_values():
    rendered = render_workflow(TEMPLATE, {"size": "m"}, "e1", "t1-default")
    Workflow.model_validate(rendered)
    assert rendered["kind"] == "Workflow" and rendered["metadata"]["name"] == "e1"
    assert rendered["metadata"]["namespace"] == "t1-default"
    assert rendered["metadata"]["labels"] == {"scenarios.ai.sap.com/id": "scn", "ai.sap.com/executionId": "e1"}
    assert rendered["spec"]["arguments"]["parameters"] == [{"name": "size", "value": "m"},
                                                           {"name": "lr", "value": "0.1"}]
    assert TEMPLATE["spec"]["arguments"]["parameters"][0]["value"] == "s"  # the synced template is untouched


@pytest.mark.parametrize("bound, doc, words", [
    ({"size": "xl"}, TEMPLATE, "spec.arguments.size.enum list: 'xl'"),
    ({}, {**TEMPLATE, "spec": {**TEMPLATE["spec"], "arguments": {"parameters": [{"name": "size"}]}}},
     "Workflow parameter 'size' has no value"),
    ({}, wf([echo(arg="{{inputs.parameters.typo}}")], entry="echo"), "failed to resolve {{inputs.parameters.typo}}"),
])
def test_what_the_local_walk_refuses_is_refused_with_the_same_words(bound, doc, words):
    with pytest.raises(WorkflowError, match=words.replace("{", r"\{").replace("}", r"\}").replace(".", r"\.")):
        render_workflow(doc, bound, "e1", "ns")
    from chalicelib.domain.argo.references import unresolvable

    local = unresolvable(doc, bound)
    if local:  # the local engine checks these before its walk, with the same sentences
        assert any(words in problem for problem in local)
    else:
        with pytest.raises(WorkflowError, match=words.replace("{", r"\{").replace("}", r"\}").replace(".", r"\.")):
            WorkflowRun(doc, bound, Runner(), "e1").run()
