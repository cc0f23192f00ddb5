"""`aicore-ops library install NAME`: an AI Library package (library/<name>/) into the configured tenant and
resource group, through the AI API only, as a user would do it by hand:

1. the package folder becomes a Git repository the stack can sync: a local one under $AICORE_HOME/library/<name>
   (committed again only when the package changed), or the URL given with --repository-url (AI Core: push the
   folder to your Git host first);
2. the group's `default` object store must exist (with --create-object-store it is made with the local stack's
   placeholder credentials; on AI Core create it yourself with real ones);
3. every file under the package's data/ is uploaded to ai://default/<name>/data/<file> (the dataset files API);
4. the package's cicd/config.json is applied (resource group, repository and application, sync, artifacts,
   configurations, training, deployment) exactly as `aicore-ops apply` does;
5. the result carries the deployment URL and the package's example request."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from . import apply as applying
from .client import ApiError, Client

CHECKOUT_LIBRARY = Path(__file__).resolve().parents[1] / "library"
PLACEHOLDER_URL = "REPLACE_WITH_YOUR_REPOSITORY_URL"
# What the local stack accepts as the `default` object store (its own S3); AI Core needs real credentials.
LOCAL_OBJECT_STORE = {"name": "default", "type": "S3", "pathPrefix": "library",
                      "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}}


class LibraryError(Exception):
    """A package that cannot be installed as it is; the message says what to do."""


@dataclass
class Installed:
    package: str
    outcome: applying.Outcome
    example: Optional[dict]
    request_file: Optional[Path] = None  # the example's body, for `--data @file` / `curl -d @file`

    def deployment(self) -> Optional[dict]:
        return next((r for r in self.outcome.runs if r["kind"] == "deployment"), None)

    def as_dict(self) -> dict:
        return {"package": self.package, **self.outcome.__dict__, "example": self.example,
                "request_file": str(self.request_file) if self.request_file else None}


def packages(root: Path = CHECKOUT_LIBRARY) -> List[Path]:
    """Folders of `root` that are packages (they have cicd/config.json), in name order."""
    return sorted(p for p in root.iterdir() if (p / "cicd" / "config.json").is_file()) if root.is_dir() else []


def find(name_or_path: str, root: Path = CHECKOUT_LIBRARY) -> Path:
    path = Path(name_or_path)
    folder = path if (path / "cicd" / "config.json").is_file() else root / name_or_path
    if not (folder / "cicd" / "config.json").is_file():
        known = ", ".join(p.name for p in packages(root)) or f"none under {root}"
        raise LibraryError(f"no library package '{name_or_path}' (known: {known})")
    return folder.resolve()


def _git(repository: Path, *args: str) -> str:
    # A fixed identity: the commit is the tool's, and a machine without git config must still work.
    env = {**os.environ, "GIT_AUTHOR_NAME": "aicore-ops", "GIT_AUTHOR_EMAIL": "aicore-ops@localhost",
           "GIT_COMMITTER_NAME": "aicore-ops", "GIT_COMMITTER_EMAIL": "aicore-ops@localhost"}
    done = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, env=env,
                          timeout=60)
    if done.returncode != 0:
        raise LibraryError(f"git {' '.join(args)} in {repository}: {done.stderr.strip()}")
    return done.stdout


def local_repository(package: Path, home: Path) -> str:
    """Mirror the package into $AICORE_HOME/library/<name> and commit when it changed; returns its file:// URL."""
    if shutil.which("git") is None:
        raise LibraryError("git is needed to make a local repository of the package (or give --repository-url)")
    repository = home / "library" / package.name
    if repository.exists():
        for child in repository.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    repository.mkdir(parents=True, exist_ok=True)
    shutil.copytree(package, repository, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
    if not (repository / ".git").exists():
        _git(repository, "init", "-q")
    _git(repository, "add", "-A")
    if _git(repository, "status", "--porcelain").strip():
        _git(repository, "commit", "-q", "-m", f"AI Library package {package.name}")
    return repository.resolve().as_uri()


def ensure_object_store(client: Client, create: bool) -> bool:
    try:
        client.get("/admin/objectStoreSecrets/default")
        return False
    except ApiError as error:
        if error.status != 404:
            raise
    if not create:
        raise LibraryError(f"resource group {client.settings.resource_group} has no object store secret 'default': "
                           "create it (POST /v2/admin/objectStoreSecrets) or pass --create-object-store on the "
                           "local stack")
    client.post("/admin/objectStoreSecrets", LOCAL_OBJECT_STORE)
    return True


def upload_data(client: Client, package: Path) -> List[str]:
    """data/<file> -> ai://default/<name>/data/<file>; the dataset artifact of the package's config points there."""
    uploaded = []
    for file in sorted(p for p in (package / "data").rglob("*") if p.is_file()):
        relative = file.relative_to(package / "data").as_posix()
        # overwrite: a reinstall brings the package's current data (the dataset files API refuses otherwise)
        client.request("PUT", f"/lm/dataset/files/default/{package.name}/data/{relative}", data=file.read_bytes(),
                       params={"overwrite": "true"}, content_type="application/octet-stream")
        uploaded.append(f"ai://default/{package.name}/data/{relative}")
    return uploaded


def install(client: Client, package: Path, home: Path, report: applying.Reporter,
            repository_url: Optional[str] = None, create_object_store: bool = False) -> Installed:
    config = json.loads((package / "cicd" / "config.json").read_text())
    for section in ("artifacts", "executions", "deployments"):
        config.setdefault(section, [])
    app = config.get("application")
    if not app:
        raise LibraryError(f"{package}/cicd/config.json has no application section")
    app["repository_url"] = repository_url or local_repository(package, home)
    report.step(f"{package.name}: repository {app['repository_url']}")
    applying.ensure_resource_group(client)  # before the object store: the store belongs to the group
    if ensure_object_store(client, create_object_store):
        report.step("object store secret 'default' created")
    for url in upload_data(client, package):
        report.step(f"uploaded {url}")
    outcome = applying.apply(client, config, app["name"], False, report)
    example = example_of(package)
    request_file = None
    if example:  # bodies are long (a test history, a bug report): a file keeps the printed commands short
        request_file = home / "library" / f"{package.name}.request.json"
        request_file.write_text(json.dumps(example["body"], indent=1))
    return Installed(package.name, outcome, example, request_file)


def example_of(package: Path) -> Optional[dict]:
    example_file = package / "example-request.json"
    return json.loads(example_file.read_text()) if example_file.is_file() else None


def _this_command() -> str:
    """How the user reaches this tool: by name when it is on PATH, else by the path it was started from
    (`make library` runs .venv/bin/aicore-ops)."""
    started = Path(sys.argv[0])
    if shutil.which("aicore-ops") or started.name != "aicore-ops":
        return "aicore-ops"
    return shlex.quote(str(started.resolve()))


def example_commands(installed: Installed, resource_group: str, home: Path) -> List[str]:
    """Shell lines that send the package's example request: with aicore-ops (settings from the same AICORE_HOME
    profile, so it runs as printed) and with curl (needs the stack's AICORE_* exports in the shell)."""
    deployment, example, body = installed.deployment(), installed.example, installed.request_file
    if not deployment or not example or not body:
        return []
    data = shlex.quote(f"@{body}")
    return [f"AICORE_HOME={shlex.quote(str(home))} {_this_command()} predict {deployment['id']} "
            f"--path {example['path']} --data {data}",
            'TOKEN=$(curl -s -u "$AICORE_CLIENT_ID:$AICORE_CLIENT_SECRET" -d grant_type=client_credentials '
            '"$AICORE_AUTH_URL" | python3 -c \'import json,sys; print(json.load(sys.stdin)["access_token"])\')',
            f'curl -s -H "Authorization: Bearer $TOKEN" -H "AI-Resource-Group: {resource_group}" '
            f"-H 'Content-Type: application/json' {deployment['deploymentUrl']}{example['path']} -d {data}"]
