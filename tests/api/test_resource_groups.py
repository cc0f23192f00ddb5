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


def test_creating_an_existing_group_answers_202_with_it_and_keeps_it(api):
    # The seed's CI/CD script creates its group at the top of every run: the second run must get on.
    labels = [{"key": "ext.ai.sap.com/owner", "value": "me"}]
    first = api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "dup", "labels": labels})
    assert first.status == 202
    created_at = api.call("GET", "/v2/admin/resourceGroups/dup").json["createdAt"]
    again = api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "dup"})
    assert again.status == 202, again
    assert (again.json["resourceGroupId"], again.json["tenantId"]) == ("dup", "t1")
    assert again.headers["location"].endswith("/dup")
    got = api.call("GET", "/v2/admin/resourceGroups/dup").json
    assert (got["labels"], got["createdAt"]) == (labels, created_at)  # nothing stored is lost or replaced
    listed = api.call("GET", "/v2/admin/resourceGroups").json["resources"]
    assert [g["resourceGroupId"] for g in listed].count("dup") == 1


def test_default_group_of_a_tenant_without_onboarding_is_there_at_once(api):
    # A tenant known only from its token (OIDC): get, list and create all find `default`.
    assert api.call("GET", "/v2/admin/resourceGroups/default", tenant="fresh-a").json["status"] == "PROVISIONED"
    assert [g["resourceGroupId"] for g in api.call("GET", "/v2/admin/resourceGroups",
                                                   tenant="fresh-b").json["resources"]] == ["default"]
    created = api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "default"}, tenant="fresh-c")
    assert created.status == 202 and created.json["resourceGroupId"] == "default"
    assert api.call("GET", "/v2/lm/executions", tenant="fresh-d", rg="default").status == 200


def test_onboarding_creates_the_default_group_once(api):
    from chalicelib.bootstrap import container

    service = container().resource_groups
    first = service.onboard("onboarded")
    assert service.onboard("onboarded").created_at == first.created_at
    listed = api.call("GET", "/v2/admin/resourceGroups", tenant="onboarded").json
    assert [g["resourceGroupId"] for g in listed["resources"]] == ["default"]


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
