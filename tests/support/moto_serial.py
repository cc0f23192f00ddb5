"""In-process moto, one call at a time per backend that threads share.

moto's backends are not thread-safe (see chalicelib/adapters/local/dynamo_locking.py for the embedded stack's
answer): in the offline AWS tests, Step Functions' worker threads run cluster_task steps while the stand-in's pods
write artifacts and the test calls the API, and a Query or ListObjects iterating a dict that another thread grows
fails with "dictionary changed size during iteration", which the run would then report as its DEAD reason. DynamoDB
and S3 guarantee this on AWS; here a lock around those services' calls does. Lambda and Step Functions calls are not
held: an invoke runs a whole step (which itself calls DynamoDB and S3, and waits on the stand-in).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator
from unittest import mock

SERIALIZED = ("s3", "dynamodb", "kms", "sts")


@contextmanager
def serialized_moto() -> Iterator[None]:
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__
    lock = threading.RLock()

    def call(self, event_name, request, **kwargs):
        service = event_name.split(".")[1] if event_name.count(".") >= 2 else ""
        if service not in SERIALIZED:
            return original(self, event_name, request, **kwargs)
        with lock:
            return original(self, event_name, request, **kwargs)

    with mock.patch.object(BotocoreStubber, "__call__", call):
        yield
