def test_create_get_list_modify_delete(api):
    created = api.call("POST", "/v2/admin/resourceGroups",
                       {"resourceGroupId": "team-a", "labels": [{"key": "ext.ai.sap.com/owner", "value": "me"}]})
    assert created.status == 202, created
    assert created.json["resourceGroupId"] == "team-a"
    assert created.headers["location"].endswith("/team-a")

    got = api.call("GET", "/v2/admin/resourceGroups/team-a").json
    assert got["status"] == "PROVISIONED" and got["labels"][0]["value"] == "me"
    assert got["createdAt"].endswith("Z")

    listed = api.call("GET", "/v2/admin/resourceGroups").json
    assert {g["resourceGroupId"] for g in listed["resources"]} == {"default", "team-a"}
    assert listed["count"] == 2

    selected = api.call("GET", "/v2/admin/resourceGroups?labelSelector=ext.ai.sap.com/owner=me").json
    assert [g["resourceGroupId"] for g in selected["resources"]] == ["team-a"]

    assert api.call("PATCH", "/v2/admin/resourceGroups/team-a", {"labels": []}).status == 202
    assert api.call("GET", "/v2/admin/resourceGroups/team-a").json["labels"] == []

    assert api.call("DELETE", "/v2/admin/resourceGroups/team-a").status == 202
    assert api.call("GET", "/v2/admin/resourceGroups/team-a").status == 404


def test_duplicate_is_409(api):
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "dup"}).status == 202
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "dup"}).status == 409


def test_bad_label_key_is_400(api):
    result = api.call("POST", "/v2/admin/resourceGroups",
                      {"resourceGroupId": "rg2", "labels": [{"key": "owner", "value": "me"}]})
    assert result.status == 400 and "ext.ai.sap.com" in result.json["error"]["message"]


def test_other_tenant_cannot_see_group(api):
    api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "secret-rg"}, tenant="t1")
    assert api.call("GET", "/v2/admin/resourceGroups/secret-rg", tenant="t2").status == 404
    names = [g["resourceGroupId"] for g in api.call("GET", "/v2/admin/resourceGroups", tenant="t2").json["resources"]]
    assert names == ["default"]


def test_default_group_cannot_be_deleted(api):
    assert api.call("DELETE", "/v2/admin/resourceGroups/default").status == 412


def test_count_is_page_size_unless_dollar_count_true(api):
    api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "counted"})
    assert api.call("GET", "/v2/admin/resourceGroups?$top=1").json["count"] == 1
    assert api.call("GET", "/v2/admin/resourceGroups?$top=1&$count=true").json["count"] == 2


def test_meta_reports_schedule_minimum_from_settings(api):
    limits = api.call("GET", "/v2/lm/meta").json["aiApi"]["limits"]
    assert limits["minimumFrequencySeconds"] == api.settings.schedule_min_interval_seconds
