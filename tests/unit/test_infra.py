from chalicelib.adapters.dynamodb.models import RecordModel
from infra.resources import policy, render


def test_table_matches_model_definition():
    table = render("prd")["Resources"]["RecordsTable"]["Properties"]
    schema = RecordModel._get_schema()
    assert table["TableName"] == "aicore-prd-records"
    assert table["KeySchema"] == schema["key_schema"]
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} == {"work"}


def test_policy_allows_no_scan():
    actions = [a for s in policy("dev")["Statement"] for a in s["Action"]]
    assert "dynamodb:Scan" not in actions


def test_committed_chalice_policies_match_rendered():
    """`.chalice/policy-<stage>.json` is what `python -m infra.resources` renders; regenerate when they drift."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for stage in ("dev", "tst", "prd"):
        assert json.loads((root / ".chalice" / f"policy-{stage}.json").read_text()) == policy(stage)
