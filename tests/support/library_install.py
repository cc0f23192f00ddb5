"""Install an AI Library package (library/<name>/) on the test stack the way `make library` does:
`aicore-ops library install <name> --create-object-store --json`, as its own tenant and resource group."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List

import requests

SCRIPT = Path(sys.executable).parent / "aicore-ops"


@dataclass
class InstalledPackage:
    base: str            # AICORE_BASE_URL
    headers: dict        # bearer token and AI-Resource-Group for direct API calls
    result: dict         # the install's JSON: artifacts, configurations, runs (kind, id, status, deploymentUrl)
    progress: str        # what the install printed on stderr (sync, followed logs)
    env: dict            # environment that runs aicore-ops as this tenant and group

    def run(self, kind: str) -> dict:
        return next(r for r in self.result["runs"] if r["kind"] == kind)

    def stop_deployments(self) -> None:
        for item in self.result["runs"]:
            if item["kind"] == "deployment":
                requests.patch(f"{self.base}/lm/deployments/{item['id']}", json={"targetStatus": "STOPPED"},
                               headers=self.headers, timeout=10)


def install_packages(stack, home: Path, names: List[str], tenant: str, resource_group: str,
                     extra_args: List[str] = ()) -> List[InstalledPackage]:
    exports = {**stack.mint_tenant(tenant), "AICORE_RESOURCE_GROUP": resource_group}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}, **exports,
           "AICORE_HOME": str(home)}
    done = subprocess.run([str(SCRIPT), "library", "install", *names, "--create-object-store", "--json",
                           *extra_args], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    token = requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                          auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "AI-Resource-Group": resource_group}
    return [InstalledPackage(exports["AICORE_BASE_URL"], headers, result, done.stderr, env)
            for result in json.loads(done.stdout)]


def install_package(stack, home: Path, name: str, tenant: str, resource_group: str,
                    extra_args: List[str] = ()) -> InstalledPackage:
    (installed,) = install_packages(stack, home, [name], tenant, resource_group, extra_args)
    return installed
