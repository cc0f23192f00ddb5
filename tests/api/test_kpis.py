from tests.support.seed import seed_executable


def _setup(api):
    from chalicelib.bootstrap import container

    seed_executable(container().store, "t1", "kpi-scn", "kpi-train")
    cfg = api.call("POST", "/v2/lm/configurations", {"name": "c", "scenarioId": "kpi-scn",
                                                     "executableId": "kpi-train"}).json
    for _ in range(2):
        assert api.call("POST", "/v2/lm/executions", {"configurationId": cfg["id"]}).status == 202
    assert api.call("POST", "/v2/lm/artifacts", {"name": "d", "kind": "dataset", "url": "ai://default/d",
                                                 "scenarioId": "kpi-scn"}).status == 201


def test_counts_per_group_scenario_executable(api):
    _setup(api)
    kpis = api.call("GET", "/v2/analytics/kpis").json
    assert kpis["header"] == ["ResourceGroup", "Scenario", "Executable", "Executions", "Artifacts", "Deployments"]
    assert ["default", "kpi-scn", "kpi-train", 2, 0, 0] in kpis["rows"]
    assert ["default", "kpi-scn", "", 0, 1, 0] in kpis["rows"]


def test_select_groups_by_chosen_columns(api):
    _setup(api)
    kpis = api.call("GET", "/v2/analytics/kpis?$select=ResourceGroup,Executions,Artifacts").json
    assert kpis == {"header": ["ResourceGroup", "Executions", "Artifacts"], "rows": [["default", 2, 1]]}


def test_unknown_column_is_400_and_other_tenant_sees_nothing(api):
    _setup(api)
    assert api.call("GET", "/v2/analytics/kpis?$select=Bogus").status == 400
    assert api.call("GET", "/v2/analytics/kpis", tenant="t2").json["rows"] == []
