"""Start the real local stack the way `make run` does, in a subprocess, and read its printed exports."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

from chalicelib.adapters.local.net import free_port

ROOT = Path(__file__).resolve().parents[2]
EXPORT = re.compile(r"^export (AICORE_[A-Z_]+)=(.*)$")


class StackProcess:
    def __init__(self, home: Path, port: Optional[int] = None, extra_env: Optional[Dict[str, str]] = None):
        self.home = home
        self.port = port or free_port()
        # The stack reads only what it is given: no AICORE_* setting leaks in from the test process.
        inherited = {k: v for k, v in os.environ.items() if not k.upper().startswith("AICORE_")}
        self.env = {**inherited, "AICORE_HOME": str(home), "AICORE_PORT": str(self.port), **(extra_env or {})}
        self.lines: List[str] = []
        self.exports: Dict[str, str] = {}
        self.proc: Optional[subprocess.Popen] = None
        self._ready = threading.Event()

    def start(self, timeout: float = 60) -> "StackProcess":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.adapters.local.stack", "--log-level", "WARNING"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("stack did not start:\n" + "".join(self.lines[-50:]))
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append(line)
            match = EXPORT.match(line.strip())
            if match:
                self.exports[match[1]] = match[2]
            if "Press Ctrl-C" in line:
                self._ready.set()

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def output(self) -> str:
        return "".join(self.lines)

    def mint_tenant(self, name: str) -> Dict[str, str]:
        """`make tenant NAME=...`'s code path; returns that tenant's exports."""
        out = subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.tenant", name], cwd=ROOT,
                             env=self.env, capture_output=True, text=True, check=True).stdout
        return {m[1]: m[2] for m in (EXPORT.match(l.strip()) for l in out.splitlines()) if m}


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def process_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a killed stack's children are reaped late or never)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
