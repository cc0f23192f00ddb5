"""Run one container of a template as a host process: its own process group, logs streamed line by line.

Shared by executions (workflow steps) and deployments (predictors). Every such process runs inside sandbox.py:
private mount and pid namespaces in which the container's absolute paths (`/app/...`, `/data/...`, `/mnt/models`)
are the run's own folders, the rest of the host is read-only, the stack's state (`hide_from_steps`) is not there,
and the process is an unprivileged user. Where the namespaces cannot be entered the runner refuses to start it
(SandboxUnavailable): user code never runs with the stack's access. The command is never passed through a shell
by us: argv goes to exec as a list.
"""
from __future__ import annotations

import os
import pwd
import json
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Set

SANDBOX = str(Path(__file__).with_name("sandbox.py"))
MAX_LINE = 16_384
_mode_lock = threading.Lock()
_mode: Optional[str] = None
_hidden: Set[str] = set()  # host folders no step may see: AICORE_HOME, the Git cache (the composition root adds)


class SandboxUnavailable(OSError):
    """The host refuses the namespaces a step needs; running it anyway would give it the stack's access."""


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime
    stream: str  # stdout | stderr
    msg: str
    container: str
    pod: str


LogSink = Callable[[LogLine], None]


@dataclass
class ProcessSpec:
    argv: List[str]  # command + args, parameters already substituted
    container: str
    pod: str
    env: Dict[str, str] = field(default_factory=dict)
    fs: Optional[Path] = None  # folder holding the container's top-level folders: fs/app, fs/data ...
    tops: List[str] = field(default_factory=list)  # top-level container folders that live under fs
    workdir: str = "/"  # container path
    scratch: Optional[Path] = None  # a folder of this step for the sandbox root (namespace mode)
    binds: Dict[str, str] = field(default_factory=dict)  # container path -> host folder (a run's shared volume)


def base_env() -> Dict[str, str]:
    """What every step starts from: `python` is the stack's interpreter (its venv has the SAP SDK)."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1", "HOME": "/tmp"}


def hide_from_steps(paths: Iterable[Path]) -> None:
    """Folders of the stack's own state: every later step and predictor finds them empty."""
    with _mode_lock:
        _hidden.update(str(Path(p).resolve()) for p in paths)


def _own_home() -> str:
    """The stack user's home (~/.ssh, ~/.aws ...): without root, a pod keeps that user's file access on the host."""
    try:
        home = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        return "/nonexistent"
    return str(Path(home).resolve()) if home and Path(home).resolve() != Path("/") else "/nonexistent"


def _interpreter() -> List[str]:
    """The installation `python` runs from (venv and base): steps get it read-only wherever it lives."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(sys.executable).resolve().parent.parent)}
    return sorted({str(Path(p).resolve()) for p in paths})


def isolation_mode() -> str:
    """"namespace" when steps can be sandboxed here, else "unavailable" (steps are then refused)."""
    global _mode
    with _mode_lock:
        if _mode is None:
            try:
                probe = subprocess.run([sys.executable, "-S", SANDBOX, "--probe"], capture_output=True, timeout=10)
                _mode = "namespace" if probe.returncode == 0 else "unavailable"
            except (OSError, subprocess.TimeoutExpired):
                _mode = "unavailable"
        return _mode


class StepProcess:
    """One started process group. `wait()` returns the exit code; `stop()` ends the whole tree."""

    def __init__(self, spec: ProcessSpec, sink: LogSink, mode: Optional[str] = None, keep_stdout: int = 0):
        self.spec = spec
        self._sink = sink
        # The last `keep_stdout` bytes of stdout exactly as written (Argo's outputs.result); the log lines lose
        # line ends and split long lines, so they cannot be joined back.
        self._keep = keep_stdout
        self._stdout = bytearray()
        self.mode = mode or (isolation_mode() if spec.fs is not None else "plain")
        self._proc = self._popen()
        self._readers = [threading.Thread(target=self._pump, args=(pipe, name), daemon=True)
                         for pipe, name in ((self._proc.stdout, "stdout"), (self._proc.stderr, "stderr"))]
        for reader in self._readers:
            reader.start()
        self.stopped = False

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _popen(self) -> subprocess.Popen:
        spec = self.spec
        env = {**base_env(), **spec.env}  # nothing of the stack's own environment (AWS keys, secrets key)
        argv = list(spec.argv)
        if not argv:
            raise ValueError(f"container '{spec.container}' has no command")
        if self.mode == "namespace":
            root = (spec.scratch or spec.fs.parent) / "root"
            root.mkdir(parents=True, exist_ok=True)
            with _mode_lock:
                hide = sorted(_hidden | {_own_home()})
            plan = {"root": str(root), "tops": {t: str(spec.fs / t) for t in spec.tops}, "workdir": spec.workdir,
                    "hide": hide, "expose": _interpreter(), "binds": dict(spec.binds)}
            argv = [sys.executable, "-S", SANDBOX, json.dumps(plan), *argv]
        elif self.mode != "plain":
            raise SandboxUnavailable(
                "this host refuses the private mount and pid namespaces that keep a step away from the stack's "
                "keys and the rest of the host; run the stack as root, or allow unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone=1)")
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, close_fds=True)

    def _pump(self, pipe, stream: str) -> None:
        with pipe:
            for raw in iter(lambda: pipe.readline(MAX_LINE), b""):
                if self._keep and stream == "stdout":
                    self._stdout += raw
                    if len(self._stdout) > self._keep:
                        del self._stdout[:len(self._stdout) - self._keep]
                text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                try:
                    self._sink(LogLine(datetime.now(timezone.utc), stream, text, self.spec.container,
                                       self.spec.pod))
                except Exception:  # noqa: BLE001 - a failing sink must not block the process on a full pipe
                    pass

    def wait(self, timeout: Optional[float] = None) -> int:
        code = self._proc.wait(timeout)
        self._signal(signal.SIGKILL)  # like a container: when the main process ends, its children go too
        for reader in self._readers:
            reader.join(5)
        return code

    def stdout(self) -> bytes:
        """The kept tail of stdout (call after wait())."""
        return bytes(self._stdout)

    def poll(self) -> Optional[int]:
        return self._proc.poll()

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM to the whole group, SIGKILL after `grace` seconds."""
        self.stopped = True
        self._signal(signal.SIGTERM)
        try:
            self._proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self._proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def run(spec: ProcessSpec, sink: LogSink) -> int:
    return StepProcess(spec, sink).wait()
