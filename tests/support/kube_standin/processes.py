"""A container of the stand-in as a host process: images are ignored (nothing is pulled or isolated), argv runs in
its own process group in a temp folder, and stdout/stderr become the pod's log, one line each prefixed with an
RFC 3339 timestamp as the kubelet gives it with `timestamps=true`. `python`/`python3` as argv[0] is this
interpreter (the image would bring its own Python; the host may name it differently)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from typing import Dict, List


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def host_argv(argv: List[str]) -> List[str]:
    if argv and argv[0] in ("python", "python3", "/usr/bin/python", "/usr/bin/python3", "/usr/local/bin/python"):
        return [sys.executable] + list(argv[1:])
    return list(argv)


class HostProcess:
    def __init__(self, argv: List[str], env: Dict[str, str], cwd: str, log: List[str]):
        self.log = log
        self.stdout: List[str] = []
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cwd, "LANG": "C.UTF-8"}
        self.process = subprocess.Popen(host_argv(argv), cwd=cwd, env={**base, **env}, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
        self.readers = [threading.Thread(target=self._read, args=(stream, keep), daemon=True)
                        for stream, keep in ((self.process.stdout, True), (self.process.stderr, False))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, keep: bool) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if keep:
                self.stdout.append(line)
            self.log.append(f"{stamp()} {line}")
        stream.close()

    def wait(self, timeout: float) -> bool:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        for reader in self.readers:
            reader.join(2)
        return True

    @property
    def exit_code(self):
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(5)
        for reader in self.readers:
            reader.join(2)
