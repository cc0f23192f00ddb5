"""The host process runner: container paths, logs line by line, exit codes, stopping a whole process tree."""
from __future__ import annotations

import os
import sys
import time

import pytest

from chalicelib.adapters.local.runner import ProcessSpec, SandboxUnavailable, StepProcess, isolation_mode


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
