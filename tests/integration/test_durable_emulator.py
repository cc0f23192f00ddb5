"""The emulator's durable layer in process: writes are journaled, a "crash" (moto reset, no clean stop) loses
nothing acknowledged, a torn last journal line is tolerated, compaction keeps only what is needed."""
import json
import logging
import os
import time

import boto3
import pytest
import requests

from chalicelib.adapters.local.emulator import Emulator
from chalicelib.adapters.local.journal import Journal

KEYS = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "eu-central-1")):
        monkeypatch.setenv(name, value)


def crash(emulator: Emulator) -> None:
    """Lose moto's memory without the clean stop (no compaction): what a kill -9 leaves behind."""
    requests.post(emulator.endpoint_url + "/moto-api/reset", timeout=10)
    emulator._server.shutdown()
    emulator._server.server_close()
    emulator.journal.close()  # the OS releases the directory lock of a killed process


def stop(emulator: Emulator) -> None:
    """A clean stop (compaction) that also empties moto's process-wide memory for the next test."""
    requests.post(emulator.endpoint_url + "/moto-api/reset", timeout=10)
    emulator.stop()


def clients(emulator: Emulator):
    return (boto3.client("dynamodb", endpoint_url=emulator.endpoint_url),
            boto3.client("s3", endpoint_url=emulator.endpoint_url))


def item(pk, sk, **extra):
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}


def test_every_kind_of_write_survives_a_crash(tmp_path):
    first = Emulator(state_dir=tmp_path).start()
    ddb, s3 = clients(first)
    ddb.create_table(TableName="t", **KEYS)
    ddb.put_item(TableName="t", Item=item("a", "1", v="one"))
    ddb.put_item(TableName="t", Item=item("a", "2"))
    typed = {**item("z", "1"), "b": {"B": b"\x00\xff"}, "n": {"N": "1.5"}, "l": {"L": [{"S": "x"}, {"BOOL": True}]},
             "m": {"M": {"ss": {"SS": ["p", "q"]}, "nul": {"NULL": True}}}}
    ddb.put_item(TableName="t", Item=typed)
    ddb.update_item(TableName="t", Key=item("a", "1"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "updated"}})
    ddb.delete_item(TableName="t", Key=item("a", "2"))
    ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": item("b", str(i))}} for i in range(30)][:25]})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": item("c", "x")}},
                                            {"Delete": {"TableName": "t", "Key": item("b", "0")}}])
    s3.create_bucket(Bucket="bkt", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    s3.put_object(Bucket="bkt", Key="dir/a b+c.txt", Body=b"hello", ContentType="text/plain", Metadata={"m": "1"})
    s3.put_object(Bucket="bkt", Key="gone", Body=b"bye")
    s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "gone"}]})
    big = os.urandom(6 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket="bkt", Key="big")["UploadId"]
    parts = [s3.upload_part(Bucket="bkt", Key="big", UploadId=upload, PartNumber=n, Body=chunk)["ETag"]
             for n, chunk in ((1, big[:5 * 1024 * 1024]), (2, big[5 * 1024 * 1024:]))]
    s3.complete_multipart_upload(Bucket="bkt", Key="big", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(parts, 1)]})
    s3.copy_object(Bucket="bkt", Key="copy", CopySource={"Bucket": "bkt", "Key": "dir/a b+c.txt"})
    crash(first)

    second = Emulator(state_dir=tmp_path).start()
    try:
        ddb, s3 = clients(second)
        assert ddb.get_item(TableName="t", Key=item("a", "1"))["Item"]["v"] == {"S": "updated"}
        assert "Item" not in ddb.get_item(TableName="t", Key=item("a", "2"))
        assert "Item" not in ddb.get_item(TableName="t", Key=item("b", "0"))
        assert ddb.scan(TableName="t", Select="COUNT")["Count"] == 1 + 1 + 24 + 1
        restored = ddb.get_item(TableName="t", Key=item("z", "1"))["Item"]
        assert restored["b"] == {"B": b"\x00\xff"} and restored["n"] == {"N": "1.5"}
        assert restored["l"] == typed["l"] and sorted(restored["m"]["M"]["ss"]["SS"]) == ["p", "q"]
        assert restored["m"]["M"]["nul"] == {"NULL": True}
        # The fast in-process read-back (not its fallback) is what captured these: it still fits this moto.
        from chalicelib.adapters.local.durable_moto import DEFAULT_ACCOUNT, _read_items_in_memory

        direct = _read_items_in_memory({"account": DEFAULT_ACCOUNT, "region": "eu-central-1"}, "t", ["pk", "sk"],
                                       [item("z", "1")])
        assert direct is not None and list(direct.values())[0]["b"] == {"B": "AP8="}
        got = s3.get_object(Bucket="bkt", Key="dir/a b+c.txt")
        assert got["Body"].read() == b"hello" and got["ContentType"] == "text/plain" and got["Metadata"] == {"m": "1"}
        assert s3.get_object(Bucket="bkt", Key="big")["Body"].read() == big
        assert s3.get_object(Bucket="bkt", Key="copy")["Body"].read() == b"hello"
        assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="bkt")["Contents"]) == ["big", "copy",
                                                                                      "dir/a b+c.txt"]
    finally:
        stop(second)
    # The clean stop compacted: one snapshot, an empty segment, and one blob per distinct live body.
    assert [p.name for p in tmp_path.glob("journal-*.jsonl")] and (tmp_path / "snapshot.json").exists()
    blobs = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert len(blobs) == 2  # "hello" (shared by two keys) and the big one; "bye" was collected


def test_torn_last_line_is_skipped_with_a_warning(tmp_path, caplog):
    first = Emulator(state_dir=tmp_path).start()
    ddb, _ = clients(first)
    ddb.create_table(TableName="t", **KEYS)
    ddb.put_item(TableName="t", Item=item("a", "1"))
    crash(first)
    segment = sorted(tmp_path.glob("journal-*.jsonl"))[-1]
    with open(segment, "ab") as f:
        f.write(b'{"op":"ddb.put","account":"1234')  # a crash in the middle of an append
    with caplog.at_level(logging.WARNING, logger="aicore.journal"):
        second = Emulator(state_dir=tmp_path).start()
    try:
        assert "last line is incomplete" in caplog.text
        ddb, _ = clients(second)
        assert ddb.get_item(TableName="t", Key=item("a", "1"))["Item"]
        ddb.put_item(TableName="t", Item=item("a", "2"))  # appends go on cleanly after the torn line
    finally:
        crash(second)
    third = Emulator(state_dir=tmp_path).start()
    try:
        assert clients(third)[0].scan(TableName="t", Select="COUNT")["Count"] == 2
    finally:
        stop(third)


def test_compaction_folds_segments_into_the_snapshot(tmp_path):
    journal = Journal(tmp_path)
    journal.open(0)
    base = {"account": "1", "region": "r", "table": "t"}
    journal.append([{"op": "ddb.ddl", **base, "target": "CreateTable", "request": {"target": "CreateTable",
                                                                                   "body": {}}}])
    for i in range(100):
        journal.append([{"op": "ddb.put", **base, "key": "k", "item": {"n": {"N": str(i)}}}])
    journal.compact()
    assert len(list(tmp_path.glob("journal-*.jsonl"))) == 1  # only the new, empty segment
    assert os.path.getsize(next(tmp_path.glob("journal-*.jsonl"))) == 0
    snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    assert snapshot["dynamodb"]["1|r|t"]["items"] == {"k": {"n": {"N": "99"}}}
    journal.close()
    state, _ = Journal(tmp_path).load()
    assert state["dynamodb"]["1|r|t"]["items"]["k"] == {"n": {"N": "99"}}


def test_ten_thousand_items_restore_quickly(tmp_path, capsys):
    first = Emulator(state_dir=tmp_path).start()
    ddb, _ = clients(first)
    ddb.create_table(TableName="t", **KEYS)
    for batch in range(400):
        ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": item("p", f"{batch}-{i}", d="x" * 200)}}
                                                 for i in range(25)]})
    crash(first)
    started = time.monotonic()
    second = Emulator(state_dir=tmp_path).start()
    elapsed = time.monotonic() - started
    try:
        pages = clients(second)[0].get_paginator("scan").paginate(TableName="t", Select="COUNT")
        assert sum(page["Count"] for page in pages) == 10_000
    finally:
        stop(second)
    with capsys.disabled():
        print(f"\n  restore of 10k items from the journal: {elapsed:.2f} s")


def test_a_second_stack_on_the_same_home_is_refused(tmp_path):
    first = Emulator(state_dir=tmp_path).start()
    try:
        with pytest.raises(RuntimeError, match="in use by another running stack"):
            Journal(tmp_path)
    finally:
        stop(first)
    Journal(tmp_path).close()  # free again after a stop


def test_recreating_an_existing_bucket_keeps_its_objects():
    from chalicelib.adapters.local.journal import apply, empty_state

    state = empty_state()
    create = {"op": "s3.ddl", "account": "1", "bucket": "b", "region": "us-east-1",
              "request": {"method": "PUT", "query": "", "content_type": "", "body": ""}}
    apply(state, create)
    apply(state, {"op": "s3.put", "account": "1", "bucket": "b", "key": "k", "blob": "x", "headers": {}})
    apply(state, create)
    assert list(state["s3"]["1|b"]["objects"]) == ["k"] and len(state["s3"]["1|b"]["ddl"]) == 1
    apply(state, {"op": "s3.drop", "account": "1", "bucket": "b"})
    apply(state, create)
    assert state["s3"]["1|b"]["objects"] == {}


@pytest.mark.parametrize("host,path,expected", [
    ("127.0.0.1:5000", "/bkt/dir/k", ("bkt", "dir/k")), ("localhost:1", "/bkt", ("bkt", None)),
    ("bkt.localhost:1", "/k", ("bkt", "k")), ("s3.amazonaws.com", "/bkt/k", ("bkt", "k")),
    ("bkt.s3.eu-central-1.amazonaws.com", "/k/y", ("bkt", "k/y")), ("127.0.0.1:1", "/", (None, None))])
def test_bucket_and_key_of_path_and_virtual_host_requests(host, path, expected):
    from chalicelib.adapters.local.durable_moto import _bucket_and_key

    assert _bucket_and_key(host, path) == expected
