"""Argo Workflows conformance: the project's own small templates (tests/conformance/argo/*.yaml), one per feature,
each run on the local engine and compared with the outcome Argo defines for it.

A file holds two YAML documents: the WorkflowTemplate (with AI Core's labels, as a repository would hold it) and
an `Expectation` written from Argo's documentation and examples (argoproj/argo-workflows docs/*.md, examples/*.yaml):

    kind: Expectation
    status: COMPLETED | DEAD
    message: [fragments]      # each must be in statusMessage (case-insensitive)
    parameters: {name: value} # the configuration's parameter bindings
    inputArtifacts: {name: {file: f, content: text}}  # a dataset uploaded, registered and bound under that key
    logs: [lines]             # every log line of the run, as a multiset (any order) ...
    ordered: true             # ... or in exactly this order
    before: [[a, b]]          # line a is logged before line b
    logsInclude: [lines]      # at least these lines (where others are the host's own wording)
    logsExclude: [lines]      # none of these lines
    logsMatch: [regexes]      # every log line matches one of these (full match), one line each, any order
    gaps: [[regexA, regexB, ms]]  # the number captured in B's line exceeds A's by at least ms
    steps: {name: phase}      # statusDetails.steps entries whose name is, or ends with ".<name>"
    maxSeconds: n             # the run ends within n seconds of its creation

`{execution}` in a line stands for the execution id ({{workflow.name}} on AI Core).

The harness goes through what a Git sync does (templates.parse_file with the Argo schema check, then the
Reconciler writing the executables) into the in-process stack (API + moto + the local engine, as
tests/support/local_engine.py), and runs several executions at once so the suite stays fast.
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

ARGO = Path(__file__).parent / "argo"
IMAGES = ARGO / "images"
SCENARIO = "argo-conformance"
APPLICATION = "argo-conformance"
WORKERS = 10  # executions in flight at once (2 cores: most of a run is waiting; 10 keeps the suite near 25 s)
RUN_TIMEOUT = 45
DOCUMENT = re.compile(r"^---[ \t]*$", re.M)
KEYS = {"kind", "status", "message", "parameters", "inputArtifacts", "logs", "ordered", "before", "logsInclude", "logsExclude",
        "logsMatch", "gaps", "steps", "maxSeconds"}


@dataclass
class Case:
    name: str  # file stem
    path: Path
    template_text: str  # the WorkflowTemplate document, as a repository file would hold it
    expect: Dict[str, Any]


@dataclass
class Outcome:
    execution: Dict[str, Any]
    lines: List[str]
    seconds: float


def load_case(path: Path) -> Case:
    parts = [p for p in DOCUMENT.split(path.read_text()) if p.strip()]
    documents = [yaml.safe_load(p) for p in parts]
    expectations = [d for d in documents if isinstance(d, dict) and d.get("kind") == "Expectation"]
    templates = [p for p, d in zip(parts, documents) if not (isinstance(d, dict) and d.get("kind") == "Expectation")]
    assert len(expectations) == 1 and len(templates) == 1, f"{path.name}: one template and one Expectation"
    return Case(path.stem, path, templates[0].strip() + "\n", expectations[0])


CASES = {p.stem: load_case(p) for p in sorted(ARGO.glob("*.yaml"))}


def parse(case: Case):
    from chalicelib.adapters.git.argo import validate_workflow_template
    from chalicelib.domain.templates import parse_file

    return parse_file(f"argo/{case.path.name}", case.template_text, validate_workflow_template)


# -- the files themselves (no engine needed) ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
def test_argo_template_parses_as_a_sync_would(name):
    case = CASES[name]
    outcome = parse(case)
    assert outcome.ok, [e.message for e in outcome.errors]
    [template] = outcome.templates
    assert template.scenario_id == SCENARIO and template.executable_id == f"argo-{name}"
    expect = case.expect
    assert set(expect) <= KEYS, set(expect) - KEYS
    assert expect["status"] in ("COMPLETED", "DEAD")
    assert expect["status"] == "COMPLETED" or expect.get("message"), "a DEAD expectation names its message"
    assert {"logs", "logsInclude", "logsMatch"} & set(expect), "every expectation says something about the logs"
    declared = {p.name for p in template.parameters}
    assert set(expect.get("parameters") or {}) <= declared
    assert set(expect.get("inputArtifacts") or {}) == {a.name for a in template.input_artifacts}


# -- running them --------------------------------------------------------------------------------------------------
class Runs:
    """Starts every case's execution on a small pool at once; a test waits for its own."""

    def __init__(self, api, cases: Dict[str, Case]):
        self._api = api
        self._lock = threading.Lock()  # chalice's test client keeps the current request on the app: one at a time
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="argo-conformance")
        longest_first = sorted(cases.values(), key=lambda c: -float(c.expect.get("maxSeconds") or 0))
        self._futures: Dict[str, Future] = {c.name: self._pool.submit(self._run, c) for c in longest_first}

    def result(self, name: str) -> Outcome:
        return self._futures[name].result(timeout=RUN_TIMEOUT * 2)

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True)

    def call(self, method: str, path: str, body: Any = None, **kwargs):
        with self._lock:
            result = self._api.call(method, path, body, **kwargs)
        assert result.status < 300, result
        return result.json

    def _run(self, case: Case) -> Outcome:
        executable = f"argo-{case.name}"
        bindings = [{"key": k, "value": str(v)} for k, v in (case.expect.get("parameters") or {}).items()]
        artifacts = [{"key": k, "artifactId": self._dataset(case, k, v)}
                     for k, v in (case.expect.get("inputArtifacts") or {}).items()]
        config = self.call("POST", "/v2/lm/configurations", {
            "name": f"cfg-{case.name}"[:256], "scenarioId": SCENARIO, "executableId": executable,
            "parameterBindings": bindings, "inputArtifactBindings": artifacts})["id"]
        started = time.monotonic()
        execution_id = self.call("POST", "/v2/lm/executions", {"configurationId": config})["id"]
        deadline = started + RUN_TIMEOUT
        while True:
            execution = self.call("GET", f"/v2/lm/executions/{execution_id}")
            if execution["status"] in ("COMPLETED", "DEAD", "STOPPED"):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{case.name}: still {execution['status']} after {RUN_TIMEOUT} s: {execution}")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        return Outcome(execution, self._settled_logs(execution_id), seconds)

    def _dataset(self, case: Case, key: str, spec: Dict[str, str]) -> str:
        """A file uploaded to the default object store and registered as a dataset artifact (its folder)."""
        folder = f"{SCENARIO}/{case.name}/{key}"
        with self._lock:
            put = self._api.call("PUT", f"/v2/lm/dataset/files/default/{folder}/{spec['file']}",
                                 raw=spec["content"].encode(), headers={"Content-Type": "text/plain"})
        assert put.status < 300, put
        return self.call("POST", "/v2/lm/artifacts", {"name": key, "kind": "dataset", "scenarioId": SCENARIO,
                                                      "url": f"ai://default/{folder}"})["id"]

    def _settled_logs(self, execution_id: str) -> List[str]:
        """The run's log lines, read until two reads agree (the last lines of a pod may still be on their way)."""
        previous: Optional[List[str]] = None
        for _ in range(20):
            data = self.call("GET", f"/v2/lm/executions/{execution_id}/logs?$top=5000")
            lines = [entry["msg"] for entry in (data.get("data") or {}).get("result") or []]
            if lines == previous:
                return lines
            previous = lines
            time.sleep(0.05)
        return previous or []


@pytest.fixture(scope="module")
def argo_runs(request, tmp_path_factory):
    """One in-process stack for the module: the suite's templates synced, the selected cases' executions started
    at once."""
    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters.local.emulator import provision
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.domain.context import TenantContext
    from chalicelib.domain.reconcile import Reconciler
    from chalicelib.settings import Settings
    from tests.support.api_client import Api

    settings = Settings(home=tmp_path_factory.mktemp("argo-conformance") / "aicore", stage="tst",
                        aws_endpoint_url=None)
    with mock_aws():
        provision(settings)
        bootstrap.configure(settings)
        engine = runs = None
        try:
            api = Api(app, settings)
            c = bootstrap.container()
            engine = use_local_engine(c)
            c.settings.home.mkdir(parents=True, exist_ok=True)
            (c.settings.home / "images.yaml").write_text(f"images:\n  argoproj/argosay: {IMAGES / 'argosay'}\n")
            created = api.call("POST", "/v2/admin/objectStoreSecrets",
                               {"name": "default", "type": "S3", "data": {}}, rg=None)
            assert created.status < 300, created
            statuses = Reconciler(c.store, c.clock).apply(TenantContext("t1"), APPLICATION,
                                                          [parse(case) for case in CASES.values()])
            assert all(s.status == "Synced" for s in statuses), [s for s in statuses if s.status != "Synced"]
            selected = {item.callspec.params["name"] for item in request.session.items
                         if getattr(item, "originalname", None) == "test_argo_feature_runs_as_argo_defines_it"}
            runs = Runs(api, {name: case for name, case in CASES.items() if name in selected})
            yield runs
        finally:
            if runs is not None:
                runs.close()
            if engine is not None:
                engine.shutdown()
            bootstrap.reset()


@pytest.mark.parametrize("name", sorted(CASES))
def test_argo_feature_runs_as_argo_defines_it(argo_runs, name):
    case = CASES[name]
    check(case.expect, argo_runs.result(name))


# -- comparing ------------------------------------------------------------------------------------------------------
def check(expect: Dict[str, Any], outcome: Outcome) -> None:
    execution, lines = outcome.execution, outcome.lines
    ident = execution["id"]

    def text(value: str) -> str:
        return str(value).replace("{execution}", ident)

    seen = f"status {execution['status']}, statusMessage {execution.get('statusMessage')!r}, logs {lines!r}"
    assert execution["status"] == expect["status"], seen
    message = (execution.get("statusMessage") or "").lower()
    for fragment in expect.get("message") or []:
        assert text(fragment).lower() in message, f"statusMessage lacks {fragment!r}: {seen}"
    if "logs" in expect:
        wanted = [text(line) for line in expect["logs"]]
        if expect.get("ordered"):
            assert lines == wanted, seen
        else:
            assert Counter(lines) == Counter(wanted), seen
    missing = Counter(text(line) for line in expect.get("logsInclude") or []) - Counter(lines)
    assert not missing, f"missing {list(missing.elements())}: {seen}"
    unwanted = [line for line in expect.get("logsExclude") or [] if text(line) in lines]
    assert not unwanted, f"unexpected {unwanted}: {seen}"
    for first, then in expect.get("before") or []:
        a, b = text(first), text(then)
        assert a in lines and b in lines and lines.index(a) < lines.index(b), f"{a!r} before {b!r}: {seen}"
    if "logsMatch" in expect:
        assert _match_all([text(p) for p in expect["logsMatch"]], lines), seen
    for pattern_a, pattern_b, least in expect.get("gaps") or []:
        a, b = _numbers(text(pattern_a), text(pattern_b), lines)
        assert a is not None and b is not None and b - a >= least, \
            f"{pattern_b!r} at least {least} after {pattern_a!r} (got {a}, {b}): {seen}"
    for step, phase in (expect.get("steps") or {}).items():
        entries = [s for s in (execution.get("statusDetails") or {}).get("steps") or []
                   if s.get("name") == step or str(s.get("name", "")).endswith(f".{step}")]
        assert entries and all(s.get("status") == phase for s in entries), \
            f"step {step} should be {phase}: {(execution.get('statusDetails') or {}).get('steps')}"
    if expect.get("maxSeconds"):
        assert outcome.seconds <= float(expect["maxSeconds"]), f"took {outcome.seconds:.1f} s: {seen}"


def _match_all(patterns: List[str], lines: List[str]) -> bool:
    """Every line matched by a distinct pattern and every pattern used (a small bipartite matching)."""
    if len(patterns) != len(lines):
        return False
    compiled = [re.compile(p) for p in patterns]
    owner: Dict[int, int] = {}  # pattern index -> line index

    def assign(line: int, seen: set) -> bool:
        for index, pattern in enumerate(compiled):
            if index in seen or not pattern.fullmatch(lines[line]):
                continue
            seen.add(index)
            if index not in owner or assign(owner[index], seen):
                owner[index] = line
                return True
        return False

    return all(assign(line, set()) for line in range(len(lines)))


def _numbers(pattern_a: str, pattern_b: str, lines: List[str]):
    """The number captured by the first line matching A, and by the first other line (after it) matching B."""
    a_at, a = None, None
    for index, line in enumerate(lines):
        found = re.fullmatch(pattern_a, line)
        if found:
            a_at, a = index, int(found.group(1))
            break
    if a_at is None:
        return None, None
    for line in lines[a_at + 1:]:
        found = re.fullmatch(pattern_b, line)
        if found:
            return a, int(found.group(1))
    return a, None
