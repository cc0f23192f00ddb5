"""The local engine's PodRunner (`ExecutionSteps.run_pod`): one PodRequest per attempt, as the workflow walk sends
it (placeholders already substituted). Each pod its own file system; outputs read as Argo's executor reads them."""
from __future__ import annotations

import dataclasses
import io
import tarfile
import threading
import time
from types import SimpleNamespace

import pytest

from chalicelib.domain.argo.pods import (ERROR, FAILED, SUCCEEDED, ArtifactInput, Cancelled, PodRequest,
                                         StoredArtifact)
from chalicelib.domain.context import TenantContext

CTX = TenantContext("t1", "default")


@pytest.fixture
def run(engine_api, tmp_path):
    """A fresh run of the local engine's pods: run.pod(template, ...) -> PodResult; run.lines, run.steps."""
    from chalicelib.adapters.local.runner import isolation_mode
    from chalicelib.adapters.local.steps import ExecutionSteps
    from chalicelib.bootstrap import container

    if isolation_mode() != "namespace":
        pytest.skip("mount namespaces are not available here")
    c = container()
    lines, events = [], []
    services = dataclasses.replace(c.execution_engine._services,
                                   append_log=lambda ctx, run_id, entry: lines.append(entry))
    execution = SimpleNamespace(id="exec1", scenario_id="scn-1", configuration_id="cfg-1")
    steps = ExecutionSteps(CTX, execution, c.settings.home / "runs" / "t1" / "default" / "exec1", {}, {}, services,
                           on_step=lambda path, details: events.append((path, dict(details))))
    count = iter(range(1, 10_000))

    def pod(template, artifacts=(), path=None, **kw):
        number = next(count)
        request = PodRequest(path=path or f"main.step{number}", pod=f"exec1-step-{number}",
                             template={"name": "t", **template}, artifacts=list(artifacts), **kw)
        return steps.run_pod(request)

    def get(key):
        return c.object_store.get(c.object_locations.locate(CTX, "default", key))

    def put(key, data):
        c.object_store.put(c.object_locations.locate(CTX, "default", key), data, overwrite=True)

    return SimpleNamespace(pod=pod, lines=lines, events=events, steps=steps, get=get, put=put, container=c,
                           images=tmp_path / "images")


def script(source, command=("sh",), **extra):
    return {"script": {"image": "none", "command": list(command), "source": source}, **extra}


def sh(text, **extra):
    return {"container": {"image": "none", "command": ["sh", "-c", text]}, **extra}


def test_result_parameters_and_logs_as_argo_reads_them(run):
    done = run.pod(script("printf 'a b\\n\\n' > /tmp/two.txt; printf 'x ' > /tmp/space.txt; echo hello; echo oops >&2",
                          outputs={"parameters": [
                              {"name": "two", "valueFrom": {"path": "/tmp/two.txt"}},
                              {"name": "space", "valueFrom": {"path": "/tmp/space.txt"}},
                              {"name": "fallback", "valueFrom": {"path": "/tmp/none.txt", "default": "dflt"}}]}),
                   path="main.hello")
    assert (done.phase, done.exit_code, done.message) == (SUCCEEDED, 0, "")
    assert done.result == "hello"  # one trailing newline trimmed, stderr not in it
    assert done.parameters == {"two": "a b\n", "space": "x ", "fallback": "dflt"}  # one newline trimmed, no more
    assert sorted((line.stream, line.msg, line.pod, line.container) for line in run.lines) == [  # two pipes
        ("stderr", "oops", "exec1-step-1", "main"), ("stdout", "hello", "exec1-step-1", "main")]
    assert [(path, d["status"]) for path, d in run.events] == [("main.hello", "Running"), ("main.hello", SUCCEEDED)]
    assert run.events[-1][1]["exitCode"] == 0 and run.events[-1][1]["finished"]


def test_a_container_templates_stdout_is_its_result_too(run):
    assert run.pod(sh("echo 42")).result == "42"


def test_a_missing_output_parameter_without_default_is_an_error(run):
    done = run.pod(sh("true", outputs={"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/nothing"}}]}))
    assert done.phase == ERROR and "open /tmp/nothing: no such file or directory" in done.message
    assert "'p'" in done.message


def test_exit_codes_are_phases(run):
    failed = run.pod(sh("echo before; exit 3"))
    assert (failed.phase, failed.exit_code, failed.message, failed.result) == (FAILED, 3, "Error (exit code 3)",
                                                                              "before")


def test_each_pod_has_its_own_file_system_and_a_failure_says_who_wrote_a_path(run):
    first = run.pod(sh("mkdir -p /data/processed && echo x > /data/processed/f && echo t > /tmp/t"),
                    path="main.preprocess")
    assert first.phase == SUCCEEDED
    second = run.pod(sh("ls /data/processed/f /tmp/t"), path="main.train")
    assert second.phase == FAILED
    assert second.message == ("Error (exit code 2): '/data/processed/f' was written by step 'main.preprocess', but "
                              "each step is its own pod: pass it as an output artifact of that step and an input "
                              "artifact of this one")
    assert run.pod(sh("exit 1")).message == "Error (exit code 1)"  # no path named, no hint


def test_artifacts_go_through_the_default_object_store(run):
    made = run.pod(sh("mkdir -p /data/out/sub && echo one > /data/out/a.txt && echo two > /data/out/sub/b.txt && "
                      "echo raw > /tmp/raw.txt && echo keyed > /tmp/k.txt",
                      outputs={"artifacts": [
                          {"name": "folder", "path": "/data/out"},
                          {"name": "plain", "path": "/tmp/raw.txt", "archive": {"none": {}}},
                          {"name": "keyed", "path": "/tmp/k.txt", "s3": {"key": "mine/k.tgz"}},
                          {"name": "maybe", "path": "/tmp/absent", "optional": True}]}))
    assert made.phase == SUCCEEDED, made.message
    assert made.artifacts == {"folder": StoredArtifact("exec1/exec1-step-1/folder.tgz", True),
                              "plain": StoredArtifact("exec1/exec1-step-1/raw.txt", False),
                              "keyed": StoredArtifact("mine/k.tgz", True)}
    with tarfile.open(fileobj=io.BytesIO(run.get("exec1/exec1-step-1/folder.tgz")), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == ["out", "out/a.txt", "out/sub", "out/sub/b.txt"]  # Argo's layout
    assert run.get("exec1/exec1-step-1/raw.txt") == b"raw\n"
    run.put("given/plain.bin", b"\x1f\x8b not really gzip\n")
    used = run.pod(sh("cat /in/dir/a.txt /in/dir/sub/b.txt /in/raw /in/k.txt /in/given; cat /in/data; ls -l /in/data",
                      ), artifacts=[
        ArtifactInput("folder", "/in/dir", stored=made.artifacts["folder"]),
        ArtifactInput("plain", "/in/raw", stored=made.artifacts["plain"]),
        ArtifactInput("keyed", "/in/k.txt", stored=StoredArtifact("mine/k.tgz")),
        ArtifactInput("given", "/in/given", stored=StoredArtifact("given/plain.bin")),
        ArtifactInput("data", "/in/data", raw="inline text\n", mode=0o600),
        ArtifactInput("nothing", "/in/none", stored=StoredArtifact("not/there.tgz"), optional=True)])
    assert used.phase == SUCCEEDED, used.message
    out = used.result.splitlines()
    assert out[:5] == ["one", "two", "raw", "keyed", "\x1f\ufffd not really gzip"]  # not unpacked
    assert out[5] == "inline text" and out[6].startswith("-rw-------")


def test_a_missing_output_artifact_is_an_error_unless_optional(run):
    done = run.pod(sh("true", outputs={"artifacts": [{"name": "model", "path": "/data/model"}]}))
    assert done.phase == ERROR and "/data/model no such file or directory" in done.message
    missing = run.pod(sh("true"), artifacts=[ArtifactInput("x", "/in/x", stored=StoredArtifact("no/such.tgz"))])
    assert missing.phase == ERROR and "artifact x failed to load" in missing.message
    unsupplied = run.pod(sh("true"), artifacts=[ArtifactInput("y", "/in/y")])
    assert (unsupplied.phase, unsupplied.message) == (ERROR, "required artifact 'y' not supplied")


@pytest.mark.parametrize("command, source, expected", [
    (["bash"], 'echo "bash $BASH_VERSINFO ${0##*/}"', "bash"),
    (["sh"], "echo sh $0", "sh /argo/staging/script"),
    (["python"], "import sys; print('python', sys.argv, sys.flags.optimize)", "python ['/argo/staging/script'] 1"),
    (["node"], "console.log('node', process.argv.length)", "node 2"),
])
def test_scripts_run_from_a_staged_file_for_any_interpreter(run, command, source, expected):
    import shutil

    if not shutil.which(command[0]):
        pytest.skip(f"no {command[0]} here")
    args = ["-O"] if command == ["python"] else []  # args come before the source file, as Argo appends it
    done = run.pod({"script": {"image": "none", "command": command, "args": args, "source": source}})
    assert done.phase == SUCCEEDED, (done.message, [line.msg for line in run.lines])
    assert done.result.startswith(expected)


ARGOSAY = """#!/bin/sh
# a tiny stand-in for Argo's test image (argosay v1): echo [text], exit [code]
case "$1" in
  echo) shift; echo "$@" ;;
  exit) exit "$2" ;;
  *) echo hello argo ;;
esac
"""


def test_an_image_that_copies_one_file_to_the_root_runs_it(run):
    folder = run.images / "argosay"
    folder.mkdir(parents=True)
    (folder / "argosay").write_text(ARGOSAY)
    (folder / "argosay").chmod(0o644)  # made executable by the Dockerfile's RUN chmod, as Argo's image does
    (folder / "Dockerfile").write_text('FROM scratch\nCOPY argosay /argosay\nRUN chmod +x /argosay\n'
                                       'ENTRYPOINT ["/argosay"]\n')
    home = run.container.settings.home
    (home / "images.yaml").write_text((home / "images.yaml").read_text() + f"  argoproj/argosay:v1: {folder}\n")
    done = run.pod({"container": {"image": "argoproj/argosay:v1", "args": ["echo", "hello", "world"]}})
    assert (done.phase, done.result) == (SUCCEEDED, "hello world"), [line.msg for line in run.lines]
    assert run.pod({"container": {"image": "argoproj/argosay:v1", "args": ["exit", "4"]}}).exit_code == 4


def test_images_are_built_once_per_run_and_each_pod_gets_its_own_copy(run):
    first = run.pod({"container": {"image": "text:latest", "command": ["sh", "-c", "echo changed > /app/train.py"]}})
    assert first.phase == SUCCEEDED
    second = run.pod({"container": {"image": "text:latest", "command": ["sh", "-c", "head -c 6 train.py; pwd"]}})
    assert second.result.endswith("/app") and "changed" not in second.result
    assert len(list((run.steps.folder / "images").iterdir())) == 1


def test_the_deadline_stops_the_pod(run):
    started = time.monotonic()
    done = run.pod(sh("echo started; sleep 30"), timeout_seconds=0.5)
    assert time.monotonic() - started < 10
    assert (done.phase, done.message) == (FAILED, "Pod was active on the node longer than the specified deadline")
    assert done.result == "started"


def test_empty_dir_is_per_pod_and_a_claim_template_is_shared_by_the_run(run):
    volumes = [{"name": "scratch", "emptyDir": {}}]
    mounts = [{"name": "scratch", "mountPath": "/mnt/scratch"}, {"name": "work", "mountPath": "/mnt/work"}]

    def container(text):
        return {"container": {"image": "none", "command": ["sh", "-c", text], "volumeMounts": mounts}}

    wrote = run.pod(container("echo s > /mnt/scratch/s && echo w > /mnt/work/w"), volumes=volumes,
                    run_volumes=["work"])
    assert wrote.phase == SUCCEEDED, wrote.message
    read = run.pod(container("cat /mnt/work/w; ls /mnt/scratch | wc -l"), volumes=volumes, run_volumes=["work"])
    assert (read.phase, read.result) == (SUCCEEDED, "w\n0")
    unknown = run.pod(sh("true") | {"container": {"image": "none", "command": ["true"],
                                                  "volumeMounts": [{"name": "nope", "mountPath": "/x"}]}})
    assert unknown.phase == ERROR and 'volume "nope" not found' in unknown.message


def test_workflow_level_and_bound_inputs_are_placed_in_every_pod(run, engine_api):
    from tests.support.local_engine import dataset

    artifact_id = dataset(engine_api, "ds/rows.csv", b"a,b\n")
    run.steps.inputs["dataset"] = run.container.artifacts.get(CTX, artifact_id)
    run.steps.workflow_artifacts = [{"name": "dataset", "path": "/data/input"}]
    for _ in range(2):
        done = run.pod(sh("cat /data/input/rows.csv /app/data/rows.csv"),
                       artifacts=[ArtifactInput("dataset", "/app/data/", binding="dataset")])
        assert (done.phase, done.result) == (SUCCEEDED, "a,b\na,b"), done.message
    unbound = run.pod(sh("true"), artifacts=[ArtifactInput("model", "/m", binding="model")])
    assert unbound.phase == ERROR and "inputArtifactBindings key 'model'" in unbound.message


def test_suspend_and_stop(run):
    run.steps.suspend(0.01)
    stopper = threading.Timer(0.5, run.steps.stop_all)
    stopper.start()
    with pytest.raises(Cancelled):
        run.pod(sh("sleep 30"))
    assert run.events[-1][1]["status"] == "Stopped" and not run.steps.processes
    with pytest.raises(Cancelled):
        run.steps.suspend(30)
    with pytest.raises(Cancelled):
        run.pod(sh("true"))


def test_a_pods_own_cost_beyond_its_process_is_small(run, monkeypatch):
    """The fan-out goal (100 trivial steps, < 25 ms of engine overhead each): setting a pod up (its folder, the
    image copy, inputs) and reading its outputs, beside the sandboxed process itself."""
    from chalicelib.adapters.local import steps as steps_module

    lifetimes = []

    class Timed(steps_module.StepProcess):
        def __init__(self, *args, **kw):
            self._born = time.perf_counter()
            super().__init__(*args, **kw)

        def wait(self, timeout=None):
            try:
                return super().wait(timeout)
            finally:
                lifetimes.append(time.perf_counter() - self._born)

    monkeypatch.setattr(steps_module, "StepProcess", Timed)
    run.pod({"container": {"image": "text:latest", "command": ["true"]}})  # the run's image build: once
    costs = []
    for _ in range(20):
        started = time.perf_counter()
        done = run.pod({"container": {"image": "text:latest", "command": ["sh", "-c", "echo 1 > /tmp/p"]},
                        "outputs": {"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/p"}}]}})
        costs.append(time.perf_counter() - started - lifetimes[-1])
        assert done.parameters == {"p": "1"}
    assert sorted(costs)[len(costs) // 2] < 0.025, costs


def test_links_a_pod_leaves_are_followed_inside_the_pod_never_to_the_hosts_files(run, tmp_path):
    """The stack reads outputs as root: a link to a host path must resolve as the pod sees it (inside the pod)."""
    secret = tmp_path / "host-secret" / "key.txt"
    secret.parent.mkdir()
    secret.write_text("the host's secret")
    deep = "../" * 12 + str(secret).lstrip("/")
    done = run.pod(sh(f"ln -s {secret} /tmp/p; ln -s {deep} /tmp/q; ln -s {secret.parent} /data/out; "
                      "mkdir -p /data/mine && echo mine > /data/mine/f && ln -s /data/mine /tmp/inside",
                      outputs={"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/p", "default": "none"}},
                                              {"name": "q", "valueFrom": {"path": "/tmp/q", "default": "none"}},
                                              {"name": "inside", "valueFrom": {"path": "/tmp/inside/f"}}],
                               "artifacts": [{"name": "out", "path": "/data/out", "optional": True},
                                             {"name": "via", "path": "/tmp/inside"}]}))
    assert done.phase == SUCCEEDED, done.message
    assert done.parameters == {"p": "none", "q": "none", "inside": "mine"}  # a link within the pod works
    assert set(done.artifacts) == {"via"}
    with tarfile.open(fileobj=io.BytesIO(run.get(done.artifacts["via"].key)), mode="r:gz") as tar:
        assert tar.extractfile("inside/f").read() == b"mine\n"
