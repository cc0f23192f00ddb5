"""`make run`: the embedded stack on one machine: AWS emulator, API, token endpoint, background work."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple

from chalicelib.settings import Settings

from . import running
from .emulator import Emulator, provision
from .sdk_profiles import profile_note, write_profile
from .service_keys import ServiceKeyClients, exports, key_path, mint

log = logging.getLogger("aicore.local")


@dataclass
class Stack:
    settings: Settings
    emulator: Emulator
    server: object
    threads: List[threading.Thread] = field(default_factory=list)
    stoppers: List[Callable[[], None]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def stop(self) -> None:
        # The front first: requests under way finish against live workers and store, new ones get a 503.
        self.server.shutdown()
        self.server.server_close()
        for stop in reversed(self.stoppers):
            try:
                stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("error while stopping")
        self.emulator.stop()


def start(settings: Settings) -> Stack:
    """Start everything in this process and return once the API answers on settings.port."""
    # The emulator serves only the stack's own key (emulator_gate); boto3 and PynamoDB here find it in the
    # environment, which steps and predictors do not inherit.
    from .emulator_gate import emulator_credentials

    key_id, key = emulator_credentials(settings.keys_dir)
    os.environ.update({"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": key})
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.aws_region)
    settings.home.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(state_dir=settings.home / "emulator", access_key_id=key_id).start()
    settings = settings.model_copy(update={"aws_endpoint_url": emulator.endpoint_url})

    from chalicelib import bootstrap
    from chalicelib.adapters.auth.jwt_tokens import LocalTokenIssuer
    from chalicelib.adapters.local.keys import load_signing_key

    from .server import TokenEndpoint, build_server

    provision(settings)
    c = bootstrap.configure(settings)
    from .operator_metrics import use_local_metrics

    operator = use_local_metrics(c)  # before the engines are built: they report to its registry
    for tenant in ServiceKeyClients(settings.service_keys_dir).tenants():
        c.resource_groups.onboard(tenant)  # every tenant with a key has its `default` group before the API serves
    from .engine import use_local_engine

    engine = use_local_engine(c)  # before the API serves: executions run here, logs go to files
    from .serving_stack import use_local_serving

    stop_serving = use_local_serving(c)  # deployments as local predictors; live ones from a last run restart
    issuer = LocalTokenIssuer(load_signing_key(settings.keys_dir), settings.local_issuer, settings.token_ttl_seconds)
    tokens = TokenEndpoint(ServiceKeyClients(settings.service_keys_dir).authenticate, issuer.issue)
    c.__dict__["token_issuer"] = issuer

    from app import app

    from .proxy import InferenceProxy

    # The front refuses what no route would take (dataset files are the largest bodies) before buffering it.
    max_body = max(settings.max_body_bytes, settings.max_dataset_file_bytes)
    server = build_server(app, settings.host, settings.port, tokens,
                          InferenceProxy(lambda: c.inference_access, max_body, recorder=lambda: c.traffic_recorder,
                                         telemetry=lambda: c.telemetry),
                          max_body_bytes=max_body, operator=operator)
    stack = Stack(settings, emulator, server)
    stack.stoppers.append(lambda: (engine.shutdown(), c.log_store.close_all()))
    stack.stoppers.append(lambda: c.traffic_writer.stop())  # after the predictors: their last records are written
    stack.stoppers.append(stop_serving)  # runs first (stoppers run in reverse): predictors end before logs close
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    stack.threads.append(thread)
    for starter in background_workers():
        stack.stoppers.append(starter(c))
    running.record(settings.home, settings.base_url)  # `make tenant` in another shell writes keys for this URL
    stack.stoppers.insert(0, lambda: running.clear(settings.home))  # stoppers run in reverse: cleared last
    return stack


def background_workers() -> List[Callable]:
    """Each entry starts one worker from the container and returns its stop function."""
    from chalicelib.adapters.git.worker import start_sync_worker

    from .schedule_worker import start_schedule_ticker

    return [start_sync_worker, start_schedule_ticker]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the AI API locally (embedded AWS emulator).")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aicore").setLevel(args.log_level.upper())  # the request log (api/access_log.py) follows the flag
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    key, profile = issue_keys(settings)
    stack = start(settings)
    stopped = threading.Event()
    # Both signals only set the event, and before the banner says "Press Ctrl-C": a Ctrl-C that arrives at once
    # must still stop cleanly, not raise KeyboardInterrupt outside the wait.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    print(banner(stack, key, profile), flush=True)
    stopped.wait()
    print("\nStopping...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


def issue_keys(settings: Settings) -> Tuple[dict, Tuple[Path, bool]]:
    """The default tenant's key and SDK profile; every other tenant's key and profile follow this start's URL
    too (a stack restarted on another port must not leave `make tenant`'s keys pointing at the old one)."""
    keys = settings.service_keys_dir
    key = mint(keys, "default", settings.base_url)
    profile = write_profile(settings.home, "default", key)
    for tenant in ServiceKeyClients(keys).tenants():
        if tenant != "default" and key_path(keys, tenant).exists():
            write_profile(settings.home, tenant, mint(keys, tenant, settings.base_url))
    return key, profile


def banner(stack: Stack, key: dict, profile: Tuple[Path, bool]) -> str:
    key_file = stack.settings.service_keys_dir / "default.json"
    token_file = (stack.settings.home / "operator-token").resolve()
    return f"""
AI API (SAP AI Core compatible) running at {stack.base_url}/v2
  ML Operations app: {stack.base_url}/   (sign in with the service key below; API reference: {stack.base_url}/reference)
  AWS emulator (DynamoDB, S3): {stack.emulator.endpoint_url}
  state: {stack.settings.home.resolve()}
  service key: {key_file}
{profile_note(stack.settings.home, "default", *profile)}

Paste these into a shell to use the official SDK (AICoreV2Client.from_env()) or curl:

{exports(key)}

  curl -s -u "$AICORE_CLIENT_ID:$AICORE_CLIENT_SECRET" -d grant_type=client_credentials "$AICORE_AUTH_URL"
  operator metrics (Prometheus format, monitoring/README.md; tenants' tokens are refused):
  curl -s -H "Authorization: Bearer $(cat {token_file})" {stack.base_url}/metrics
  another tenant: make tenant NAME=acme
Press Ctrl-C to stop.
"""


if __name__ == "__main__":
    sys.exit(main())
