"""The embedded emulator's shortcuts answer what moto itself answers: GetItem and Query without moto's
generic serializer (moto_fast_reads), and DynamoDB calls handed to it in process (in_process)."""
import boto3
import pytest
import requests

from chalicelib.adapters.local import moto_fast_reads
from chalicelib.adapters.local.emulator import Emulator

KEYS = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
TYPED = {"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "1.5"}, "big": {"N": "-12345678901234567890"},
         "l": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}]}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
         "m": {"M": {"deep": {"M": {"s": {"S": "ünïcode \"quoted\""}}}, "e": {"L": []}}}, "bin": {"B": b"\x00\xff"}}


@pytest.fixture
def emulator(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "eu-central-1")):
        monkeypatch.setenv(name, value)
    running = Emulator().start()
    yield running
    requests.post(running.endpoint_url + "/moto-api/reset", timeout=10)  # moto's memory is process-wide
    running.stop()


def reads(ddb):
    item = ddb.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "1"}}, ConsistentRead=True)
    missing = ddb.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "none"}})
    query = ddb.query(TableName="t", KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                      ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"S": "1"}})
    for answer in (item, missing, query):
        answer.pop("ResponseMetadata")
    return item, missing, query


def test_fast_reads_answer_what_moto_answers(emulator):
    ddb = boto3.client("dynamodb", endpoint_url=emulator.endpoint_url)
    ddb.create_table(TableName="t", **KEYS)
    ddb.put_item(TableName="t", Item=TYPED)
    for i in range(2, 5):
        ddb.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"S": str(i)}, "v": {"N": str(i)}})
    assert moto_fast_reads.install()
    fast = reads(ddb)
    moto_fast_reads.uninstall()
    try:
        assert reads(ddb) == fast
    finally:
        moto_fast_reads.install()
    assert fast[0]["Item"] == TYPED and "Item" not in fast[1]
    assert [i["sk"]["S"] for i in fast[2]["Items"]] == ["1"] and fast[2]["Count"] == 1
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):  # errors keep moto's own path
        ddb.get_item(TableName="missing", Key={"pk": {"S": "p"}, "sk": {"S": "1"}})
