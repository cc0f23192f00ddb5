"""One running predictor process ("replica"): launch it with its model folder and port, probe it, drain, stop."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from chalicelib.domain.logs import LogEntry
from chalicelib.domain.serving import MODEL_DIR, Predictor, RenderError

from .images import ImageError, ImageRecipe, ImageResolver, build_into, top_of
from .runner import LogLine, ProcessSpec, StepProcess
from .net import free_port
from .steps import SYSTEM_TOPS, protected_tops


class Replica:
    def __init__(self, process: StepProcess, port: int, pod: str, configuration_id: str, folder: Path,
                 state_file: Path):
        self.process = process
        self.port = port
        self.pod = pod
        self.configuration_id = configuration_id
        self.url = f"http://127.0.0.1:{port}"
        self._folder = folder
        self._state_file = state_file
        self._lock = threading.Lock()
        self._inflight = 0
        self._stopping = False
        self.record_rate = 0.0  # share of requests the proxy records (template annotation, traffic_recording)

    # -- requests in flight (the proxy leases the replica for the time of one request) -----------------
    def lease(self) -> None:
        with self._lock:
            self._inflight += 1

    def release(self) -> None:
        with self._lock:
            self._inflight -= 1

    @property
    def inflight(self) -> int:
        with self._lock:
            return self._inflight

    # -- lifecycle ----------------------------------------------------------------------------------------
    def wait_until_answering(self, timeout: float, still_wanted: Callable[[], bool]) -> Optional[str]:
        """None once the predictor answers any HTTP request (or nobody wants it any more); else why not."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while still_wanted():
            code = self.process.poll()
            if code is not None:
                self.process.wait()  # let the last output lines reach the log
                return (f"The predictor exited with code {code} before it answered on port {self.port}; its output "
                        "is in the deployment logs.")
            if _answers(self.port):
                return None
            if time.monotonic() > deadline:
                return (f"The predictor did not answer HTTP on port {self.port} within {timeout:.0f} s; check that "
                        "it listens on the port in the PORT environment variable (or its containerPort).")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        return None

    def on_exit(self, callback: Callable[[int], None]) -> None:
        def watch() -> None:
            code = self.process.wait()
            if not self._stopping:
                callback(code)

        threading.Thread(target=watch, name=f"watch-{self.pod}", daemon=True).start()

    def stop(self, forget: bool = True) -> None:
        self._stopping = True
        self.process.stop()
        self._state_file.unlink(missing_ok=True)
        if forget:
            shutil.rmtree(self._folder, ignore_errors=True)

    def drain_and_stop(self, seconds: float) -> None:
        """After a switch: let requests already sent to this replica finish (bounded), then stop it."""
        self._stopping = True
        deadline = time.monotonic() + seconds
        while self.inflight > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.stop()


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


Launch = Callable[[ProcessSpec, Callable[[LogLine], None]], StepProcess]


def launch_replica(launch: Launch, predictor: Predictor, deployment_folder: Path, pod: str, configuration_id: str,
                   sink: Callable[[LogEntry], None], fetch: Callable[[str, Path], None],
                   images: Optional[ImageResolver] = None,
                   default_folder: Optional[Callable[[], Optional[Path]]] = None) -> Replica:
    """Download the model, pick a port, start the predictor through the shared runner (runner.py), which gives
    the process its container paths (/mnt/models and the image's Dockerfile folders) by a mount namespace or by
    rewriting its command and env. The image's folder comes from images.yaml, else from the synced repository's
    Dockerfile folder (`default_folder`), as for execution steps."""
    folder = deployment_folder / "replicas" / pod
    shutil.rmtree(folder, ignore_errors=True)
    fs = folder / "fs"
    models = fs / MODEL_DIR.strip("/")
    models.mkdir(parents=True)
    container = predictor.container
    try:
        recipe = images.recipe(container.image, default_folder) if images is not None else ImageRecipe()
        build_into(recipe, fs)
    except (ImageError, OSError) as err:
        raise RenderError(f"Image '{container.image}' cannot be prepared locally: {err}") from None
    tops = {t for t in (top_of(p) for p in [MODEL_DIR, recipe.workdir] + [d for _, d in recipe.copies]) if t}
    blocked = tops & (SYSTEM_TOPS | protected_tops(deployment_folder))
    if blocked:
        raise RenderError(f"Image '{container.image}' puts files under /{', /'.join(sorted(blocked))}, which the "
                          "local engine cannot replace on this host; use another folder (for example /app).")
    if predictor.storage_uri:
        fetch(predictor.storage_uri, models)
    port = free_port()
    container = predictor.bound_to_port(port).container
    env = {**recipe.env, **container.env}
    if predictor.storage_uri:
        env["STORAGE_URI"] = MODEL_DIR  # KServe's storage initializer points it at the downloaded copy too
    # Docker's rules: a template command replaces ENTRYPOINT and CMD; args alone replace CMD.
    argv = container.command + container.args if container.command else \
        recipe.entrypoint + (container.args or recipe.cmd)
    if not argv:
        raise RenderError(f"The predictor (image {container.image}) has no command, and its image folder has no "
                          "ENTRYPOINT or CMD.")
    spec = ProcessSpec(argv=argv, container=container.name, pod=pod, env=env, fs=fs, tops=sorted(tops),
                       workdir=recipe.workdir, scratch=folder)

    def on_line(line: LogLine) -> None:
        sink(LogEntry(timestamp=line.timestamp, msg=line.msg, container=line.container, pod=line.pod,
                      stream=line.stream))

    try:
        process = launch(spec, on_line)
    except (OSError, ValueError) as err:
        raise RenderError(f"The predictor command {spec.argv[:1]} could not be started: "
                          f"{getattr(err, 'strerror', None) or err}.") from None
    state = deployment_folder / f"replica-{pod}.json"
    state.write_text(json.dumps({"pid": process.pid, "start": _start_ticks(process.pid), "port": port}))
    return Replica(process, port, pod, configuration_id, folder, state)


def _start_ticks(pid: int) -> Optional[str]:
    """The process start time from /proc (Linux), to tell our old process from a new one that reused its pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def kill_orphan(deployment_folder: Path) -> None:
    """End predictors a previous stack left running (it was killed before it could stop them)."""
    for state in deployment_folder.glob("replica-*.json"):
        try:
            data = json.loads(state.read_text())
            pid = int(data["pid"])
            if data.get("start") and _start_ticks(pid) == data["start"]:
                os.killpg(pid, signal.SIGKILL)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        state.unlink(missing_ok=True)
