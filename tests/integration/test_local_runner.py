"""The host process runner: container paths, logs line by line, exit codes, stopping a whole process tree."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from chalicelib.adapters.local import runner
from chalicelib.adapters.local.runner import ProcessSpec, SandboxUnavailable, StepProcess, isolation_mode
from tests.support.pod_probe import TRY_PATHS


def _spec(tmp_path, argv, **kw):
    fs = tmp_path / "fs"
    for top in kw.get("tops", []):
        (fs / top).mkdir(parents=True, exist_ok=True)
    return ProcessSpec(argv=argv, container="main", pod="exec-1-step", fs=fs, scratch=tmp_path / "scratch", **kw)


def test_absolute_container_paths_resolve_to_the_execution_folder(tmp_path):
    if isolation_mode() != "namespace":
        pytest.skip("mount namespaces are not available here")
    lines = []
    spec = _spec(tmp_path, ["/bin/sh", "-c", "mkdir -p /app/model && echo trained > /app/model/m.txt && pwd && "
                            "echo oops >&2"], tops=["app", "data"], workdir="/app", env={"X": "1"})
    code = StepProcess(spec, lines.append).wait(30)
    assert code == 0
    assert (tmp_path / "fs" / "app" / "model" / "m.txt").read_text() == "trained\n"
    by_stream = {line.stream: line.msg for line in lines}
    assert by_stream["stderr"] == "oops"
    assert by_stream["stdout"].endswith("/app")
    assert all(line.container == "main" and line.pod == "exec-1-step" for line in lines)


def test_user_code_sees_absolute_paths_in_namespace_mode(tmp_path):
    if isolation_mode() != "namespace":
        pytest.skip("mount namespaces are not available here")
    spec = _spec(tmp_path, ["python", "-c", "open('/data/out.txt','w').write('hi'); import sys; sys.exit(3)"],
                 tops=["data"])
    assert StepProcess(spec, lambda line: None).wait(30) == 3
    assert (tmp_path / "fs" / "data" / "out.txt").read_text() == "hi"
    assert not os.path.exists("/data/out.txt")


def test_without_namespaces_a_step_is_refused_by_name(tmp_path):
    spec = _spec(tmp_path, ["/bin/sh", "-c", "cat /etc/hostname"], tops=["app"])
    with pytest.raises(SandboxUnavailable, match="refuses the private mount and pid namespaces"):
        StepProcess(spec, lambda line: None, mode="unavailable")
    assert not (tmp_path / "scratch" / "root").exists()


def test_stop_kills_the_whole_tree(tmp_path):
    marker = tmp_path / "child.pid"
    spec = ProcessSpec(argv=["/bin/sh", "-c", f"sleep 60 & echo $! > {marker}; wait"], container="c", pod="p")
    process = StepProcess(spec, lambda line: None)
    deadline = time.time() + 10
    while not marker.exists() or not marker.read_text().strip():
        assert time.time() < deadline
        time.sleep(0.05)
    child = int(marker.read_text())
    process.stop(grace=2)
    assert process.wait(10) != 0
    time.sleep(0.2)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie waiting for init to reap it is dead
    except FileNotFoundError:
        return False


def test_missing_program_exits_nonzero_with_a_message(tmp_path):
    lines = []
    spec = _spec(tmp_path, ["no-such-program-xyz"], tops=["app"])
    code = StepProcess(spec, lines.append).wait(30)
    assert code == 127
    assert any("no-such-program-xyz" in line.msg for line in lines)
    assert sys.executable


# -- the pod: the stack's state hidden, the host read-only, an unprivileged user ------------------------------------
REPO = Path(__file__).resolve().parents[2]
PROBE = TRY_PATHS + """
import json, os, sys
reads, writes = sys.argv[1].split(","), sys.argv[2].split(",")
print(json.dumps({"uid": os.getuid(), "reads": {p: outcome(read, p) for p in reads},
                  "writes": {p: outcome(write, p) for p in writes}}))
"""


@pytest.fixture
def stack_home(monkeypatch):
    """An AICORE_HOME where `make run` keeps it, inside the repository (not under /tmp, which a pod replaces)."""
    if isolation_mode() != "namespace":
        pytest.skip("mount namespaces are not available here")
    monkeypatch.setattr(runner, "_hidden", set())
    home = REPO / f".aicore-sandbox-test-{uuid.uuid4().hex[:8]}"
    (home / "keys").mkdir(parents=True)
    (home / "keys" / "signing.pem").write_text("the stack's signing key")
    runner.hide_from_steps([home])
    yield home
    shutil.rmtree(home, ignore_errors=True)


def _probe(spec) -> dict:
    lines = []
    assert StepProcess(spec, lines.append).wait(30) == 0, [line.msg for line in lines]
    return json.loads(next(line.msg for line in lines if line.stream == "stdout"))


def test_a_step_runs_unprivileged_without_the_stack_state_on_a_read_only_host(stack_home, tmp_path):
    key = stack_home / "keys" / "signing.pem"
    fs = stack_home / "runs" / "t1" / "rg" / "exec-1" / "fs"
    (fs / "data").mkdir(parents=True)
    (fs / "data" / "input.csv").write_text("written by the stack as root\n")
    tag = uuid.uuid4().hex[:8]
    reads = [str(key), f"/app/../../..{key}", f"/proc/{os.getpid()}/root{key}", f"/proc/{os.getpid()}/environ",
             "/tmp/link", "/data/input.csv"]
    forbidden = [f"/root/x-{tag}", f"/var/tmp/x-{tag}", f"/etc/x-{tag}", f"/usr/x-{tag}", f"{REPO}/x-{tag}",
                 f"{stack_home}/x-{tag}", f"/dev/x-{tag}", f"/x-{tag}"]
    allowed = ["/tmp/x", "/data/input.csv", "/data/out.txt", f"/dev/shm/x-{tag}"]
    spec = ProcessSpec(argv=["sh", "-c", f"ln -s {key} /tmp/link && python -c '{PROBE}' {','.join(reads)} "
                             f"{','.join(forbidden + allowed)}"], container="main", pod="p", fs=fs,
                       tops=["data", "tmp"], scratch=fs.parent / "steps" / "s1")
    (fs / "tmp").mkdir()
    report = _probe(spec)
    assert report["uid"] == 65534
    assert report["reads"] == {**{p: "ENOENT" for p in reads[:-1]}, "/data/input.csv": "ok"}
    # A path under /tmp (the repository or the stack's home when they live there, as in a CI clone) is inside the
    # pod's own private /tmp: writing there may succeed but never reaches the host (checked below).
    refused = [p for p in forbidden if not p.startswith("/tmp/")]
    assert {p: report["writes"][p] for p in refused if report["writes"][p] == "ok"} == {}
    assert {p: report["writes"][p] for p in allowed} == {p: "ok" for p in allowed}
    assert (fs / "data" / "out.txt").read_text() == "x" and (fs / "tmp" / "x").read_text() == "x"
    assert (fs / "data" / "out.txt").stat().st_uid == 65534
    assert not any(os.path.exists(p) for p in forbidden + [f"/dev/shm/x-{tag}"])
    assert key.read_text() == "the stack's signing key"


def test_the_interpreter_runs_even_under_a_hidden_or_closed_folder(stack_home, tmp_path):
    venv_parent = Path(sys.prefix).resolve().parent
    runner.hide_from_steps([venv_parent])  # hides every sibling of the venv, not the venv itself
    fs = stack_home / "runs" / "fs"
    (fs / "app").mkdir(parents=True)
    spec = ProcessSpec(argv=["python", "-c", f"import os, ai_core_sdk; print(sorted(os.listdir({str(venv_parent)!r})))"],
                       container="main", pod="p", fs=fs, tops=["app"], scratch=fs.parent / "steps")
    lines = []
    assert StepProcess(spec, lines.append).wait(30) == 0, [line.msg for line in lines]
    assert [line.msg for line in lines] == [str([Path(sys.prefix).resolve().name])]


def test_links_a_step_leaves_do_not_redirect_the_ownership_walk(stack_home, tmp_path):
    victim, victim_dir = stack_home / "victim", stack_home / "victim-dir"
    victim.write_text("root's")
    (victim_dir / "inner").mkdir(parents=True)
    fs = stack_home / "runs" / "fs"
    (fs / "data").mkdir(parents=True)
    os.symlink(victim, fs / "data" / "file-link")
    os.symlink(victim_dir, fs / "data" / "dir-link")
    spec = ProcessSpec(argv=["true"], container="main", pod="p", fs=fs, tops=["data"], scratch=fs.parent / "steps")
    assert StepProcess(spec, lambda line: None).wait(30) == 0
    assert (fs / "data").stat().st_uid == 65534 and os.lstat(fs / "data" / "file-link").st_uid == 65534
    assert victim.stat().st_uid == 0 and victim_dir.stat().st_uid == 0 and (victim_dir / "inner").stat().st_uid == 0


def test_no_mount_in_the_pod_is_writable_but_its_own(stack_home):
    """Also the ones a step cannot reach (covered, or copied through a bound host folder): none stays writable."""
    fs = stack_home / "runs" / "fs"
    (fs / "data").mkdir(parents=True)
    spec = ProcessSpec(argv=["cat", "/proc/self/mountinfo"], container="main", pod="p", fs=fs, tops=["data"],
                       scratch=fs.parent / "steps")
    lines = []
    assert StepProcess(spec, lines.append).wait(30) == 0
    mounts = [line.msg.split() for line in lines if line.stream == "stdout"]
    assert len(mounts) > 10
    assert sorted(m[4] for m in mounts if "rw" in m[5].split(",")) == ["/data", "/dev/shm", "/tmp"]


def test_the_emulator_refuses_a_step_and_serves_the_stack(stack_home, monkeypatch):
    """moto takes any credentials: the emulator tells the stack's connections from a pod's by the peer's uid."""
    import boto3

    from chalicelib.adapters.local.emulator import Emulator

    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        monkeypatch.setenv(name, value)
    emulator = Emulator().start()
    try:
        s3 = boto3.client("s3", endpoint_url=emulator.endpoint_url, region_name="eu-central-1")
        s3.create_bucket(Bucket="stack-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        fs = stack_home / "runs" / "fs"
        (fs / "tmp").mkdir(parents=True)
        code = ("import urllib.request, urllib.error\n"
                "try:\n"
                f"    print(urllib.request.urlopen('{emulator.endpoint_url}/', timeout=10).status)\n"
                "except urllib.error.HTTPError as err:\n"
                "    print(err.code)\n")
        lines = []
        spec = ProcessSpec(argv=["python", "-c", code], container="main", pod="p", fs=fs, tops=["tmp"],
                           scratch=fs.parent / "steps")
        assert StepProcess(spec, lines.append).wait(30) == 0, [line.msg for line in lines]
        assert [line.msg for line in lines] == ["403"]
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["stack-bucket"]  # the stack still gets in
    finally:
        emulator.stop()


@pytest.fixture
def user_dir():
    """A folder an ordinary user can reach (pytest's own tmp_path is under a 0700 folder of root's)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="aicore-user-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_without_root_the_pod_lives_in_a_user_namespace(user_dir):
    """`make run` as an ordinary user: the launcher maps itself into a user namespace, and the step still gets
    uid 65534 there, a read-only host, the hidden folders empty, its own folder writable, no capabilities."""
    python, setpriv = shutil.which("python3", path="/usr/bin:/bin"), shutil.which("setpriv")
    if os.getuid() != 0 or not python or not setpriv:
        pytest.skip("needs root to become another user, a system python3 and setpriv")
    tmp_path = user_dir
    for name in ("fs/app", "root", "hidden"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "hidden" / "key").write_text("secret")
    os.chmod(tmp_path, 0o755)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.chown(path, 1000, 1000)  # an ordinary user's files
    plan = {"root": str(tmp_path / "root"), "tops": {"app": str(tmp_path / "fs" / "app")}, "workdir": "/app",
            "hide": [str(tmp_path / "hidden")], "expose": []}
    script = (f"id -u; grep CapEff /proc/self/status; touch /app/ok /etc/x-{tmp_path.name} 2>&1; "
              f"cat {tmp_path}/hidden/key 2>&1; ls /proc | grep -c '^[0-9]'")
    done = subprocess.run([setpriv, "--reuid", "1000", "--regid", "1000", "--clear-groups", python, "-S",
                           runner.SANDBOX, json.dumps(plan), "sh", "-c", script], capture_output=True, text=True,
                          timeout=30, env={"PATH": "/usr/bin:/bin"})
    if "can't open file" in done.stderr or "Operation not permitted" in done.stderr:
        pytest.skip(f"the launcher cannot run as another user here: {done.stderr.strip()}")
    lines = done.stdout.splitlines()
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert lines[0] == "65534" and lines[1].split() == ["CapEff:", "0000000000000000"]
    assert "Read-only file system" in lines[2] and "No such file or directory" in lines[3]
    assert int(lines[4]) == 4  # its own pid namespace: pid 1, sh, ls and grep
    assert (tmp_path / "fs" / "app" / "ok").exists() and not os.path.exists(f"/etc/x-{tmp_path.name}")


def test_the_stack_users_home_is_hidden_but_for_the_interpreter(stack_home):
    """Without root a pod keeps the stack user's file access: its home (~/.ssh, ~/.aws) is covered like
    AICORE_HOME. Only the way to the interpreter, if it lives there, is bound back."""
    import pwd

    home = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
    if not home.is_dir() or home == Path("/"):
        pytest.skip("the stack's user has no home folder")
    fs = stack_home / "runs" / "fs"
    (fs / "tmp").mkdir(parents=True)
    code = f"import os; print(sorted(os.listdir({str(home)!r})))"
    lines = []
    spec = ProcessSpec(argv=["python", "-c", code], container="main", pod="p", fs=fs, tops=["tmp"],
                       scratch=fs.parent / "steps")
    assert StepProcess(spec, lines.append).wait(30) == 0, [line.msg for line in lines]
    inside = {Path(p).relative_to(home).parts[0] for p in runner._interpreter() if Path(p).is_relative_to(home)}
    assert [line.msg for line in lines] == [str(sorted(inside))]
    assert len(os.listdir(home)) > len(inside)  # there was something to hide
