from chalicelib.adapters.dynamodb.models import RecordModel
from infra.resources import policy, render


def test_table_matches_model_definition(monkeypatch):
    from infra.state_machines import StateMachine

    monkeypatch.setattr(StateMachine, "definition", lambda self: {})
    table = render("prd")["Resources"]["RecordsTable"]["Properties"]
    schema = RecordModel._get_schema()
    assert table["TableName"] == "aicore-prd-records"
    assert table["KeySchema"] == schema["key_schema"]
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} == {"work"}


def test_policy_allows_no_scan():
    actions = [a for s in policy("dev")["Statement"] for a in s["Action"]]
    assert "dynamodb:Scan" not in actions


def test_committed_chalice_policies_match_rendered():
    """`.chalice/policy-*.json` are what `python -m infra.resources --policies` renders; regenerate when they drift."""
    import json

    from infra.resources import chalice_policy_files

    files = chalice_policy_files()
    assert len(files) == 15  # three stages, five functions
    for path, document in files.items():
        assert json.loads(path.read_text()) == document, f"{path.name}: run python -m infra.resources --policies"


def test_chalice_config_gives_each_function_its_policy_file():
    import json

    from infra.functions import ALL_FUNCTIONS, API
    from infra.policies import policy_file_name
    from infra.resources import CHALICE_DIR

    config = json.loads((CHALICE_DIR / "config.json").read_text())
    for stage, settings in config["stages"].items():
        assert settings["autogen_policy"] is False
        assert settings["iam_policy_file"] == policy_file_name(stage, API)
        for function in ALL_FUNCTIONS:
            if function is not API:
                assert settings["lambda_functions"][function.name]["iam_policy_file"] == policy_file_name(stage, function)


def test_merge_template_names_the_state_machines_and_retention_per_stage(monkeypatch):
    from infra.state_machines import StateMachine

    monkeypatch.setattr(StateMachine, "definition", lambda self: {})  # the ASL files: tests/infra checks them
    template = render("dev")
    assert template["Resources"]["ExecutionStateMachine"]["Properties"]["StateMachineName"] == "aicore-dev-execution"
    assert template["Resources"]["APIHandlerLogGroup"]["Properties"]["RetentionInDays"] == 14
    assert render("prd")["Resources"]["APIHandlerLogGroup"]["Properties"]["RetentionInDays"] == 365
