"""ServingTemplate rendering: placeholders, defaults, the predictor's container, and clear errors."""
import pytest

from chalicelib.domain.serving import RenderError, parameter_values, render_predictor

SPEC = """
predictor:
  minReplicas: 1
  maxReplicas: {{inputs.parameters.replicas}}
  containers:
  - name: kserve-container
    image: docker.io/example/serve:1.0
    ports:
      - containerPort: 9001
        protocol: TCP
    command: ["/bin/sh", "-c"]
    args:
      - "python /app/serve.py --port 9001 --greeting {{ inputs.parameters.greeting }}"
    env:
      - name: STORAGE_URI
        value: "{{inputs.artifacts.model}}"
      - name: LISTEN
        value: "0.0.0.0:9001"
      - name: DEBUG
        value: true
"""


def template(spec=SPEC, parameters=None):
    return {"kind": "ServingTemplate", "spec": {
        "inputs": {"parameters": parameters if parameters is not None else [
            {"name": "greeting", "default": "hello"}, {"name": "replicas", "default": "2"}],
            "artifacts": [{"name": "model"}]},
        "template": {"apiVersion": "serving.kserve.io/v1beta1", "spec": spec}}}


def render(bindings=None, artifacts=None, spec=SPEC):
    t = template(spec)
    return render_predictor(t, parameter_values(t, bindings or {}), artifacts or {"model": "ai://default/m"})


def test_defaults_bindings_and_artifact_urls_are_substituted():
    p = render({"greeting": "bonjour"})
    c = p.container
    assert c.image == "docker.io/example/serve:1.0" and c.command == ["/bin/sh", "-c"]
    assert c.args == ["python /app/serve.py --port 9001 --greeting bonjour"]
    assert c.env["STORAGE_URI"] == "ai://default/m" and c.env["DEBUG"] == "true"
    assert (c.port, p.storage_uri, p.min_replicas, p.max_replicas) == (9001, "ai://default/m", 1, 2)


def test_default_used_when_not_bound():
    assert "--greeting hello" in render().container.args[0]


def test_binding_to_a_port_rewrites_the_declared_port_and_sets_PORT():
    c = render().bound_to_port(40123).container
    assert c.args == ["python /app/serve.py --port 40123 --greeting hello"]
    assert c.env["LISTEN"] == "0.0.0.0:40123" and c.env["PORT"] == "40123" and c.port == 40123


def test_storage_uri_on_the_model_spec_and_default_port():
    spec = """
predictor:
  model:
    storageUri: "{{inputs.artifacts.model}}"
  containers:
  - image: img
    command: ["python", "serve.py"]
"""
    p = render(spec=spec)
    assert p.storage_uri == "ai://default/m" and p.container.port == 8080


@pytest.mark.parametrize("spec, words", [
    ("predictor: [", "not valid YAML"),
    ("foo: 1", "must define a 'predictor'"),
    ("predictor:\n  model:\n    modelFormat: {name: sklearn}", "only custom predictors"),
    ("predictor:\n  containers:\n  - command: [x]", "needs an 'image'"),
    ("predictor:\n  containers:\n  - image: x", "needs a 'command' or 'args'"),
    ("predictor:\n  containers:\n  - image: x\n    args: [a]\n    ports: [{containerPort: abc}]", "must be a number"),
    ("predictor:\n  containers:\n  - image: x\n    args: [a]\n    env: [{name: A, valueFrom: {}}]", "valueFrom"),
    ("predictor:\n  minReplicas: 3\n  maxReplicas: 1\n  containers:\n  - image: x\n    args: [a]", "inconsistent"),
])
def test_broken_renders_are_refused_with_a_reason(spec, words):
    with pytest.raises(RenderError) as err:
        render(spec=spec)
    assert words in err.value.message


def test_a_value_that_breaks_the_yaml_is_reported():
    with pytest.raises(RenderError) as err:
        render({"greeting": 'a"b'}, spec='predictor:\n  containers:\n  - image: x\n    args: ["{{inputs.parameters.greeting}}"]')
    assert "not valid YAML once rendered" in err.value.message


def test_unbound_artifact_and_parameter_without_default():
    with pytest.raises(RenderError) as err:
        render(artifacts={"other": "ai://x/y"})
    assert "input artifact 'model'" in err.value.message
    t = template(parameters=[{"name": "greeting"}, {"name": "replicas", "default": "1"}])
    with pytest.raises(RenderError) as err:
        render_predictor(t, parameter_values(t, {}), {"model": "ai://d/m"})
    assert "parameter 'greeting' has no value" in err.value.message


def test_spec_given_as_a_mapping_renders_too():
    spec = {"predictor": {"containers": [{"image": "x", "args": ["serve {{inputs.parameters.greeting}}"]}]}}
    assert render(spec=spec).container.args == ["serve hello"]
