"""Template files -> executables: AI Core's mapping rules and every way a file can be refused."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chalicelib.adapters.git.argo import validate_workflow_template
from chalicelib.domain.templates import parse_file
from tests.support.git_repos import fixture

TRAINING = fixture("training.yaml")
SERVING = fixture("serving.yaml")


def parse(text: str, path: str = "t.yaml"):
    return parse_file(path, text, validate_workflow_template)


def only(text: str):
    outcome = parse(text)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    return template


def error(text: str) -> str:
    outcome = parse(text)
    assert not outcome.ok
    return " | ".join(e.message for e in outcome.errors)


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def with_doc(text: str, change) -> str:
    doc = yaml.safe_load(text)
    change(doc)
    return yaml.safe_dump(doc)


# -- the mapping ----------------------------------------------------------------------------------------------
def test_workflow_template_maps_to_a_training_executable():
    t = only(TRAINING)
    assert (t.kind, t.executable_id, t.name, t.description) == (
        "WorkflowTemplate", "text-clf-train", "text-clf-train-exec", "Trains the classifier")
    assert (t.scenario_id, t.scenario_name, t.version_id, t.deployable) == (
        "text-clf", "Text classification", "1.0.0", False)
    assert [(p.name, p.default, p.description, p.type) for p in t.parameters] == [
        ("epochs", "3", "Training epochs", "string"), ("learning-rate", "0.01", None, "string")]
    (data,) = t.input_artifacts
    assert (data.name, data.kind, data.description) == ("text-data", "dataset", "Labelled sentences")
    (model,) = t.output_artifacts  # 'scratch' has no globalName: not a registered output
    assert (model.name, model.kind) == ("text-model", "model")
    assert [(l.key, l.value) for l in model.labels] == [("ext.ai.sap.com/framework", "sklearn")]
    assert [(l.key, l.value) for l in t.labels] == [("ext.ai.sap.com/team", "nlp")]
    assert t.document["metadata"]["name"] == "text-clf-train"


def test_serving_template_maps_to_a_deployable_executable():
    t = only(SERVING)
    assert (t.kind, t.executable_id, t.deployable, t.output_artifacts) == (
        "ServingTemplate", "text-clf-serve", True, [])
    assert [(p.name, p.default, p.type) for p in t.parameters] == [("greeting", "hello", "string")]
    assert [(a.name, a.kind) for a in t.input_artifacts] == [("textmodel", "model")]
    assert "{{inputs.parameters.greeting}}" in t.document["spec"]["template"]["spec"]  # rendered at deploy time


def test_scenario_labels_come_from_scenarios_ai_sap_com_labels():
    t = only(edit(TRAINING, '    ext.ai.sap.com/team: "nlp"', '    scenarios.ai.sap.com/llm: "true"'))
    assert [(l.key, l.value) for l in t.scenario_labels] == [("scenarios.ai.sap.com/llm", "true")]
    assert t.labels == []


def test_numeric_parameter_values_become_strings():
    t = only(edit(TRAINING, 'value: "3"', "value: 3"))
    assert t.parameters[0].default == "3"
    assert t.document["spec"]["arguments"]["parameters"][0]["value"] == "3"


def test_artifacts_filled_by_other_steps_or_inline_are_not_inputs():
    def change(doc):
        doc["spec"]["templates"] = [
            {"name": "train", "steps": [[{"name": "prep", "template": "prep"}],
                                        [{"name": "fit", "template": "fit", "arguments": {"artifacts": [
                                            {"name": "clean", "from": "{{steps.prep.outputs.artifacts.clean}}"}]}}]],
             "inputs": {"artifacts": [{"name": "raw-data"}]}},
            {"name": "prep", "container": {"image": "busybox", "command": ["/bin/sh", "-c"], "args": ["true"]},
             "inputs": {"artifacts": [{"name": "snippet", "path": "/s", "raw": {"data": "x"}}]},
             "outputs": {"artifacts": [{"name": "clean", "path": "/c"}]}},
            {"name": "fit", "container": {"image": "busybox", "command": ["/bin/sh", "-c"], "args": ["true"]},
             "inputs": {"artifacts": [{"name": "clean", "path": "/c"}]}}]
        doc["spec"]["arguments"].pop("parameters")

    t = only(with_doc(TRAINING, change))
    assert [a.name for a in t.input_artifacts] == ["raw-data"]
    assert t.parameters == [] and t.output_artifacts == []


def test_artifacts_fed_by_an_exit_hook_or_an_inline_workflow_argument_are_not_inputs():
    def change(doc):
        doc["spec"]["entrypoint"] = "train"
        doc["spec"]["arguments"] = {"artifacts": [{"name": "notes", "raw": {"data": "x"}}]}
        doc["spec"]["templates"] = [
            {"name": "train", "inputs": {"artifacts": [{"name": "notes", "path": "/n"}, {"name": "raw-data"}]},
             "steps": [[{"name": "fit", "template": "fit", "hooks": {"exit": {"template": "report", "arguments": {
                 "artifacts": [{"name": "model", "from": "{{steps.fit.outputs.artifacts.model}}"}]}}}}]]},
            {"name": "fit", "container": {"image": "busybox", "command": ["/bin/sh", "-c"], "args": ["true"]},
             "outputs": {"artifacts": [{"name": "model", "path": "/m"}]}},
            {"name": "report", "container": {"image": "busybox", "command": ["/bin/sh", "-c"], "args": ["true"]},
             "inputs": {"artifacts": [{"name": "model", "path": "/m"}]}}]

    t = only(with_doc(TRAINING, change))
    assert [a.name for a in t.input_artifacts] == ["raw-data"]


def test_the_ml_operations_reference_template_as_written():
    """AI Core's ML Operations reference: a WorkflowTemplate under ai.sap.com/v1alpha1, the executable id in the
    executables.ai.sap.com/id label (not metadata.name), imagePullSecrets, workflow-level artifacts with a path."""
    text = (Path(__file__).resolve().parents[1] / "conformance" / "reference" / "workflows" /
            "text-classifier.yaml").read_text()
    outcome = parse(text)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    assert (template.scenario_id, template.executable_id, template.name) == ("text-classifier", "text-classifier-train",
                                                                             "text-classifier-train")
    assert template.document["apiVersion"] == "argoproj.io/v1alpha1"  # stored as the Argo kind it is
    assert [(p.name, p.default) for p in template.parameters] == [("learning_rate", "0.001"), ("epochs", "10")]
    assert [(a.name, a.kind) for a in template.input_artifacts] == [("training-data", "dataset")]
    assert [(a.name, a.kind) for a in template.output_artifacts] == [("trained-model", "model")]


def test_executable_id_label_must_be_a_valid_id():
    bad = with_doc(TRAINING, lambda d: d["metadata"]["labels"].update({"executables.ai.sap.com/id": "no spaces"}))
    assert "executables.ai.sap.com/id" in error(bad)


def test_multi_document_file_yields_every_template():
    outcome = parse(TRAINING + "\n---\n" + SERVING)
    assert outcome.ok and [t.executable_id for t in outcome.templates] == ["text-clf-train", "text-clf-serve"]


# -- refusals -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("kind: WorkflowTemplate\nmetadata: [unclosed\n", "invalid YAML: line 3"),
    ("", "holds no YAML document"),
    ("- a\n- b\n", "must be a YAML mapping"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: abcd}\n", "kind 'ConfigMap' is not supported"),
    (edit(TRAINING, "apiVersion: argoproj.io/v1alpha1", "apiVersion: serving.kserve.io/v1beta1"),
     "apiVersion must be 'argoproj.io/v1alpha1'"),
    (edit(TRAINING, "  name: text-clf-train\n", ""), "metadata.name is required"),
    (edit(TRAINING, "  name: text-clf-train\n", "  name: Text_Clf\n"), "metadata.name 'Text_Clf'"),
    (edit(TRAINING, '    scenarios.ai.sap.com/id: "text-clf"\n', ""), "label 'scenarios.ai.sap.com/id' is required"),
    (edit(TRAINING, 'scenarios.ai.sap.com/id: "text-clf"', 'scenarios.ai.sap.com/id: "a b"'),
     "'scenarios.ai.sap.com/id' value 'a b' must match"),
    (edit(TRAINING, '    ai.sap.com/version: "1.0.0"\n', ""), "label 'ai.sap.com/version' is required"),
    (edit(TRAINING, 'ai.sap.com/version: "1.0.0"', "ai.sap.com/version: 1.0"),
     "'ai.sap.com/version' must be a string; quote the value"),
    (edit(TRAINING, '    scenarios.ai.sap.com/name: "Text classification"\n', ""),
     "annotation 'scenarios.ai.sap.com/name' is required"),
    (edit(TRAINING, '    executables.ai.sap.com/name: "text-clf-train-exec"\n', ""),
     "annotation 'executables.ai.sap.com/name' is required"),
    (edit(TRAINING, "  entrypoint: train\n", "  entrypoint: train\n  parallelism: many\n"),
     "not a valid Argo WorkflowTemplate: spec.parallelism"),
    (edit(TRAINING, "        image: python:3.11-slim", "        image: [python]"),
     "spec.templates.0.container.image"),
    (edit(TRAINING, "entrypoint: train", "entrypoint: missing"), "spec.entrypoint must name one of"),
    (with_doc(TRAINING, lambda d: d["spec"].update(templates=[])), "at least one template"),
    (with_doc(TRAINING, lambda d: d["spec"].update(templates=[], workflowTemplateRef={"name": "other"})),
     "spec.workflowTemplateRef is not supported"),
    (edit(TRAINING, 'artifacts.ai.sap.com/text-data.kind: "dataset"', 'artifacts.ai.sap.com/text-data.kind: "blob"'),
     "must be one of model, dataset, resultset, other"),
    (edit(TRAINING, '{"ext.ai.sap.com/framework": "sklearn"}', "framework=sklearn"), "must be a JSON object"),
    (edit(TRAINING, '{"ext.ai.sap.com/framework": "sklearn"}', '{"framework": "sklearn"}'),
     "label 'framework' needs an ext.ai.sap.com/<name> key"),
    (edit(TRAINING, "      - name: learning-rate\n", "      - description: no name\n"), "spec.arguments.parameters"),
])
def test_workflow_refusals(text, expected):
    assert expected in error(text)


@pytest.mark.parametrize("text, expected", [
    (edit(SERVING, "apiVersion: ai.sap.com/v1alpha1", "apiVersion: argoproj.io/v1alpha1"),
     "apiVersion must be 'ai.sap.com/v1alpha1'"),
    (edit(SERVING, "        type: string", "        type: integer"), "type must be 'string'"),
    (with_doc(SERVING, lambda d: d["spec"].pop("template")), "spec.template is required"),
    (edit(SERVING, 'apiVersion: "serving.kserve.io/v1beta1"', 'apiVersion: "serving.kserve.io/v1alpha1"'),
     "spec.template.apiVersion must be 'serving.kserve.io/v1beta1'"),
    (edit(SERVING, "      predictor:\n", "      predictr:\n"), "must define a 'predictor'"),
    (edit(SERVING, "        minReplicas: 1\n", "        minReplicas: [1\n"), "spec.template.spec is not valid YAML"),
    (edit(SERVING, "{{inputs.parameters.greeting}}", "{{inputs.parameters.greetings}}"),
     "uses {{inputs.parameters.greetings}} but spec.inputs.parameters does not declare 'greetings'"),
    (edit(SERVING, "{{inputs.artifacts.textmodel}}", "{{inputs.artifacts.model}}"),
     "spec.inputs.artifacts does not declare 'model'"),
    (edit(SERVING, "      - name: textmodel\n", "      - path: /x\n"), "every artifact needs a name"),
    (with_doc(SERVING, lambda d: d.update(spec="text")), "spec must be a mapping"),
])
def test_serving_refusals(text, expected):
    assert expected in error(text)


def test_errors_name_the_template_and_kind():
    outcome = parse(edit(SERVING, '    ai.sap.com/version: "1.0.0"\n', ""))
    (err,) = outcome.errors
    assert (err.name, err.kind) == ("text-clf-serve", "ServingTemplate")


def test_one_bad_document_breaks_the_whole_file():
    outcome = parse(TRAINING + "\n---\n" + edit(SERVING, "kind: ServingTemplate", "kind: Serving"))
    assert not outcome.ok
    assert outcome.errors[0].message.startswith("document 2: kind 'Serving'")


def test_yaml_alias_bombs_are_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    assert "YAML aliases" in error(bomb)


def test_oversized_template_is_refused():
    big = edit(TRAINING, 'description: "Training epochs"', 'description: "' + "x" * 400_000 + '"')
    assert "template is too large" in error(big)


def test_argument_default_is_the_executable_parameter_default_as_ai_core_writes_it():
    t = only(edit(TRAINING, 'value: "3"', "default: 3"))
    assert (t.parameters[0].name, t.parameters[0].default) == ("epochs", "3")
    assert t.document["spec"]["arguments"]["parameters"][0]["default"] == "3"
