"""Several AWS Lambda instances of the app inside one test process, on one moto account.

On AWS two invocations of the same scheduled function can overlap (EventBridge delivers at least once, a retry or a
slow previous tick is still running): they are two processes with their own container (services, caches, /tmp)
sharing only DynamoDB and S3. Here each thread gets its own `bootstrap.Container` from the same settings; the
handlers in app.py look the container up at call time, so `app.schedule_tick(event, context)` run in a thread uses
that thread's instance. Threads without an instance (the test's own API calls) keep the configured container.
"""
from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List

from chalicelib import bootstrap


def scheduled_event(rule: str, at: datetime) -> Dict[str, Any]:
    """The event EventBridge hands a scheduled Lambda function (what Chalice turns into a CloudWatchEvent)."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "eu-central-1", "resources": [f"arn:aws:events:eu-central-1:123456789012:rule/{rule}"],
            "detail": {}}


class LambdaContext:
    function_name = "aicore-tst"
    aws_request_id = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@contextmanager
def instances(monkeypatch, settings, **services: Any) -> Iterator[Callable[[str], bootstrap.Container]]:
    """`instance(name)` builds (once) the container of the Lambda instance `name`; `services` are put into each
    (a shared clock, for example). Run handlers in threads with `run_concurrently`."""
    built: Dict[str, bootstrap.Container] = {}
    local = threading.local()
    configured = bootstrap.container

    def instance(name: str) -> bootstrap.Container:
        if name not in built:
            built[name] = bootstrap.Container(settings(name) if callable(settings) else settings)
            built[name].__dict__.update(services)
        return built[name]

    def current() -> bootstrap.Container:
        name = getattr(local, "name", None)
        return instance(name) if name is not None else configured()

    def bind(name: str) -> None:
        local.name = name

    monkeypatch.setattr(bootstrap, "container", current)
    instance.bind = bind  # type: ignore[attr-defined]
    yield instance


def run_concurrently(instance, calls: Dict[str, Callable[[], Any]], timeout: float = 60) -> Dict[str, Any]:
    """Each call in its own thread, bound to the instance of its name; returns results (exceptions re-raised)."""
    results: Dict[str, Any] = {}
    errors: List[BaseException] = []

    def run(name: str, call: Callable[[], Any]) -> None:
        instance.bind(name)
        try:
            results[name] = call()
        except BaseException as err:  # noqa: BLE001 - handed to the test below
            errors.append(err)

    threads = [threading.Thread(target=run, args=item, name=f"lambda-{item[0]}") for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), f"{thread.name} did not finish within {timeout} s"
    if errors:
        raise errors[0]
    return results


@contextmanager
def atomic_moto_requests(monkeypatch) -> Iterator[None]:
    """DynamoDB evaluates a condition and writes the item as one step; moto does it in several Python steps that
    two threads can interleave. One request at a time gives moto DynamoDB's atomicity (requests still interleave
    between each other exactly as two Lambda instances' do)."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    process = BotocoreStubber.process_request

    def one_at_a_time(self, request):
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    yield
