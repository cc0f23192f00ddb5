"""`aicore-ops library install` (what `make library` runs) against the running stack: a package folder becomes a
local Git repository, its data is uploaded, its cicd/config.json applied; the request it prints is run as printed.

The package here is the text-classifier example with an example request added (the library's own packages are
tested in their modules); the tenant and home are this module's own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "aicore-ops"
RG = "library-rg"
EXAMPLE = {"path": "/v1/models/text-classifier:predict", "describe": "a label per review",
           "body": {"instances": ["The screen is excellent. I love it", "It's broken, it keeps crashing"]}}


@pytest.fixture(scope="module")
def package(stack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("library") / "text-classifier"
    shutil.copytree(ROOT / "examples" / "text-classifier", folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (folder / "example-request.json").write_text(json.dumps(EXAMPLE))
    home = tmp_path_factory.mktemp("library-home")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")},
           **stack.mint_tenant("library"), "AICORE_RESOURCE_GROUP": RG, "AICORE_HOME": str(home),
           "PATH": f"{SCRIPT.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    return folder, env, home


def install(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), "library", "install", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def printed_commands(stdout: str) -> list:
    """The lines under "Try it": the aicore-ops one, then (after the "or with curl" line) the token and curl."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Try it"))
    return [lines[start + 1].strip(), lines[start + 3].strip(), lines[start + 4].strip()]


def test_install_trains_serves_and_the_printed_requests_answer(package):
    folder, env, home = package
    missing = install(env, str(folder))
    assert missing.returncode == 2 and "--create-object-store" in missing.stderr, missing.stderr  # no store yet
    done = install(env, str(folder), "--create-object-store")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "text-classifier: RUNNING at " in done.stdout and "evaluate: accuracy" in done.stdout
    assert (home / "library" / "text-classifier" / ".git").is_dir()
    with_cli, get_token, with_curl = printed_commands(done.stdout)
    assert with_cli.startswith(f"AICORE_HOME={home} ") and "--data @" in with_cli
    for command in (with_cli, f"{get_token}; {with_curl}"):
        answer = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=60)
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout) == {"predictions": ["positive", "negative"]}, (command, answer.stdout)


def test_a_second_install_reuses_repository_dataset_and_training_configuration(package):
    folder, env, home = package
    repository = home / "library" / "text-classifier"
    head = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True, text=True)
    again = install(env, str(folder), "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    (result,) = json.loads(again.stdout)
    assert not any(a["created"] for a in result["artifacts"].values())
    training = next(c for c in result["configurations"] if c["name"] == "text-classifier training")
    assert not training["created"]
    assert [r["status"] for r in result["runs"]] == ["COMPLETED", "RUNNING"]
    assert subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout == head.stdout  # unchanged package: no new commit
    stop = subprocess.run([str(SCRIPT), "stop", result["runs"][1]["id"]], env=env, capture_output=True, text=True,
                          timeout=60)
    assert stop.returncode == 0, stop.stderr


def test_an_unknown_package_names_the_known_ones(package):
    _, env, _ = package
    unknown = install(env, "no-such-package")
    assert unknown.returncode == 2 and "no library package 'no-such-package'" in unknown.stderr
