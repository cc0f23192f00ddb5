def test_openapi_document_lists_routes_and_models(api):
    result = api.call("GET", "/v2/openapi.json")
    assert result.status == 200
    doc = result.json
    assert doc["openapi"].startswith("3.")
    assert "/v2/admin/resourceGroups" in doc["paths"]
    post = doc["paths"]["/v2/admin/resourceGroups"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "resourceGroupId" in schema["properties"]  # camelCase, as on the wire
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for ref in _refs(operation):
                assert ref.rsplit("/", 1)[-1] in doc["components"]["schemas"], (path, method, ref)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_is_served_without_a_token(api):
    # It holds no tenant data; the reference page and schemathesis load it before any sign-in.
    result = api.call("GET", "/v2/openapi.json", token=None, rg=None)
    assert result.status == 200
    assert result.json["paths"]


def test_openapi_states_the_constraints_the_api_enforces(api):
    from chalicelib.domain.ids import ID_PATTERN
    from chalicelib.domain.resource_groups import RG_ID

    doc = api.call("GET", "/v2/openapi.json", token=None).json
    get = doc["paths"]["/v2/lm/executions/{executionId}"]["get"]
    params = {(p["in"], p["name"]): p for p in get["parameters"]}
    assert params[("path", "executionId")]["schema"]["pattern"] == "^(?:" + ID_PATTERN.pattern[1:-1] + ")$"
    header = params[("header", "AI-Resource-Group")]
    assert header["required"] and header["schema"]["pattern"] == "^(?:" + RG_ID.pattern[1:-1] + ")$"
    listing = {p["name"]: p for p in doc["paths"]["/v2/lm/executions"]["get"]["parameters"]}
    assert listing["$top"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 100000}
    assert "RUNNING" in listing["status"]["schema"]["enum"]
    assert set(get["responses"]) >= {"200", "400", "401", "403", "404"}
    post = doc["paths"]["/v2/lm/executions"]["post"]
    assert "202" in post["responses"] and "409" in post["responses"]
    count = doc["paths"]["/v2/lm/executions/$count"]["get"]["responses"]["200"]
    assert "text/plain" in count["content"]
