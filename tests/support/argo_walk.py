"""The Argo walk's test kit: a scripted pod runner and small template builders (tests/unit/test_argo_*.py)."""
from __future__ import annotations

import threading
import time

from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import FAILED, SUCCEEDED, PodResult


class Runner:
    """Pods answer by template name: a function of the request, or exit 0 echoing the args as stdout."""

    def __init__(self, **behaviour):
        self.behaviour = behaviour
        self.requests = []
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.slept = []

    def run_pod(self, request):
        with self.lock:
            self.requests.append(request)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            name = request.template.get("name")
            answer = self.behaviour.get(name)
            if answer is None:
                args = (request.template.get("container") or request.template.get("script") or {}).get("args")
                return PodResult(SUCCEEDED, 0, result=" ".join(args or []))
            return answer(request)
        finally:
            time.sleep(0.01)
            with self.lock:
                self.running -= 1

    def suspend(self, seconds):
        self.slept.append(seconds)

    def args(self, template=None):
        return [" ".join(r.template["container"].get("args") or []) for r in self.requests
                if template is None or r.template.get("name") == template]


def echo(name="echo", arg="{{inputs.parameters.m}}", **extra):
    return {"name": name, "inputs": {"parameters": [{"name": "m"}]},
            "container": {"image": "alpine", "command": ["echo"], "args": [arg]}, **extra}


def plain(name, arg="x"):
    return {"name": name, "container": {"image": "alpine", "command": ["echo"], "args": [arg]}}


def wf(templates, entry="main", params=None, **spec):
    return {"metadata": {"name": "wf"}, "spec": {"entrypoint": entry, "templates": templates,
                                                  "arguments": {"parameters": params or []}, **spec}}


def call(name, template="echo", m=None, **extra):
    step = {"name": name, "template": template, **extra}
    if m is not None:
        step["arguments"] = {"parameters": [{"name": "m", "value": m}]}
    return step


def run(doc, runner, bound=None, **kw):
    return WorkflowRun(doc, bound or {}, runner, "r1", **kw).run()


def failing(code=1):
    return lambda r: PodResult(FAILED, code, message=f"Error (exit code {code})")
