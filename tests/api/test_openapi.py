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


def test_openapi_needs_token(api):
    assert api.call("GET", "/v2/openapi.json", token=None).status == 401
