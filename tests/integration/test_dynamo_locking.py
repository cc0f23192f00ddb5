"""The embedded DynamoDB keeps DynamoDB's guarantees under concurrency: a transaction next to ordinary writes
never fails inside the emulator, and a conditional write is atomic (no acknowledged update is lost)."""
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.local.emulator import Emulator
from chalicelib.adapters.local.emulator_gate import emulator_credentials

TABLE = "locking-test"


@pytest.fixture
def dynamodb(tmp_path):
    key_id, key = emulator_credentials(tmp_path / "keys")
    emulator = Emulator(access_key_id=key_id).start()
    client = boto3.client("dynamodb", endpoint_url=emulator.endpoint_url, region_name="eu-central-1",
                          aws_access_key_id=key_id, aws_secret_access_key=key)
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    yield client
    client.delete_table(TableName=TABLE)  # moto's state is per process: leave none
    emulator.stop()


def test_transactions_beside_concurrent_writes_all_succeed(dynamodb):
    # moto copies the whole table for each transaction's rollback: with writers running beside it, the copy
    # met a changing dict ("dictionary changed size during iteration") and the API answered 500.
    for i in range(2000):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"seed-{i}"}, "v": {"N": "0"}})

    def put(i):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"put-{i}"}, "v": {"N": str(i)}})

    def transact(i):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"tx-{i}-{part}"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}} for part in range(3)])

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(put, i) for i in range(300)] + [pool.submit(transact, i) for i in range(30)]
        errors = [f.exception() for f in futures if f.exception() is not None]
    assert errors == []
    keys = {item["pk"]["S"] for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE)
            for item in page["Items"]}
    assert {f"tx-{i}-{part}" for i in range(30) for part in range(3)} <= keys
    assert {f"put-{i}" for i in range(300)} <= keys


def test_conditional_updates_are_atomic(dynamodb):
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "counter"}, "version": {"N": "0"}})

    def bump(_):
        """Read the version, write version + 1 only if nobody moved it: each success is one acknowledged bump."""
        successes = 0
        for _ in range(20):
            version = int(dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "counter"}},
                                            ConsistentRead=True)["Item"]["version"]["N"])
            try:
                dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "counter"}, "version": {"N": str(version + 1)}},
                                  ConditionExpression="version = :seen",
                                  ExpressionAttributeValues={":seen": {"N": str(version)}})
                successes += 1
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return successes

    with ThreadPoolExecutor(8) as pool:
        acknowledged = sum(pool.map(bump, range(8)))
    final = int(dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "counter"}},
                                  ConsistentRead=True)["Item"]["version"]["N"])
    assert final == acknowledged  # every acknowledged conditional write is in the result, none lost
