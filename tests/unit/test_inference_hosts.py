"""The host the authorizer names is the one KServe serves the InferenceService under."""
import pytest

from chalicelib.domain.cluster.inference_hosts import KSERVE_DEFAULT_TEMPLATE, check_domain_template, ingress_host
from chalicelib.domain.cluster.inference_service import inference_service_name
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.errors import InvalidInput


def test_kserves_default_template():
    host = ingress_host(KSERVE_DEFAULT_TEMPLATE, "models.example.org", "t1", "rg1", "d0123456789abcdef")
    assert host == f"{inference_service_name('d0123456789abcdef')}-{namespace_for('t1', 'rg1')}.models.example.org"


def test_a_knative_style_template():
    host = ingress_host("{{.Name}}.{{.Namespace}}.{{.IngressDomain}}", "svc.local", "t1", "rg1", "d01")
    assert host == f"{inference_service_name('d01')}.{namespace_for('t1', 'rg1')}.svc.local"


@pytest.mark.parametrize("template", ["{{ .Annotations.x }}.{{ .IngressDomain }}", "{{ .Name }}-{{ bad",
                                      "{{ .Labels }}"])
def test_fields_kserve_may_not_fill_are_refused(template):
    with pytest.raises(InvalidInput, match="only"):
        check_domain_template(template)
