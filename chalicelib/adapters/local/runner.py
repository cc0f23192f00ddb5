"""Run one container of a template as a host process: its own process group, logs streamed line by line.

Shared by executions (workflow steps) and deployments (predictors). The step sees the container's absolute
paths (`/app/...`, `/data/...`, `/mnt/models`) in one of two ways, chosen once per process:
- "namespace": sandbox.py enters a private mount namespace and binds the execution's folders at those paths,
  so absolute paths work everywhere, including inside the user's own code;
- "rewrite" (fallback when namespaces are refused): absolute paths that start with one of the container's
  top-level folders are rewritten to the execution's folders in the command, args and env values only; paths
  hard-coded in the user's code then do not resolve (documented limit).
The command is never passed through a shell by us: argv goes to exec as a list.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional

SANDBOX = str(Path(__file__).with_name("sandbox.py"))
MAX_LINE = 16_384
_mode_lock = threading.Lock()
_mode: Optional[str] = None


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


def base_env() -> Dict[str, str]:
    """What every step starts from: `python` is the stack's interpreter (its venv has the SAP SDK)."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1", "HOME": "/tmp"}


def isolation_mode() -> str:
    global _mode
    with _mode_lock:
        if _mode is None:
            try:
                probe = subprocess.run([sys.executable, "-S", SANDBOX, "--probe"], capture_output=True, timeout=10)
                _mode = "namespace" if probe.returncode == 0 else "rewrite"
            except (OSError, subprocess.TimeoutExpired):
                _mode = "rewrite"
        return _mode


def rewrite(text: str, fs: Path, tops: List[str]) -> str:
    """'/app/x' -> '<fs>/app/x' where '/app' starts a path (after start, space, '=', ':', quote, comma)."""
    if not tops:
        return text
    names = "|".join(re.escape(t) for t in sorted(tops, key=len, reverse=True))
    return re.sub(rf"(^|[\s=:'\",(\[])/({names})(?=/|$|[\s'\",;:)\]])", lambda m: f"{m.group(1)}{fs}/{m.group(2)}",
                  text)


class StepProcess:
    """One started process group. `wait()` returns the exit code; `stop()` ends the whole tree."""

    def __init__(self, spec: ProcessSpec, sink: LogSink, mode: Optional[str] = None):
        self.spec = spec
        self._sink = sink
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
        env = {**base_env(), **spec.env}
        argv, cwd = list(spec.argv), None
        if not argv:
            raise ValueError(f"container '{spec.container}' has no command")
        if self.mode == "namespace":
            tops = {t: str(spec.fs / t) for t in spec.tops}
            root = (spec.scratch or spec.fs.parent) / "root"
            root.mkdir(parents=True, exist_ok=True)
            plan = {"root": str(root), "tops": tops, "workdir": spec.workdir}
            import json

            argv = [sys.executable, "-S", SANDBOX, json.dumps(plan), *argv]
        elif self.mode == "rewrite":
            argv = [rewrite(a, spec.fs, spec.tops) for a in argv]
            env = {k: rewrite(v, spec.fs, spec.tops) for k, v in env.items()}
            cwd = rewrite(spec.workdir, spec.fs, spec.tops) if spec.workdir != "/" else str(spec.fs)
            Path(cwd).mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, close_fds=True)

    def _pump(self, pipe, stream: str) -> None:
        with pipe:
            for raw in iter(lambda: pipe.readline(MAX_LINE), b""):
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
