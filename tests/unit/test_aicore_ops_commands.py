"""aicore-ops without a stack: every command's help is complete, `render` prints what `make render` prints (from
the installed console script, run outside the checkout), and apply's sync check stops on a template it needs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
import yaml

from aicore_ops.apply import ApplyFailed, check_sync
from aicore_ops.cli import app
from aicore_ops.sync import SyncResult

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "aicore-ops"
TRAINING = ROOT / "examples" / "text-classifier" / "templates" / "training.yaml"
SERVING = TRAINING.with_name("serving.yaml")


def aicore_ops(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def make_render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.render", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_console_script_is_installed_beside_the_interpreter():
    assert SCRIPT.exists(), "make install puts .venv/bin/aicore-ops in place (pip install -e .)"


@pytest.mark.parametrize("name", sorted(typer.main.get_command(app).commands))
def test_every_command_and_option_has_help(name):
    command = typer.main.get_command(app).commands[name]
    assert command.help and len(command.help) > 20, name
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{name} {param.opts} has no help"
        if isinstance(param, click.Argument):
            assert getattr(param, "help", None), f"{name} {param.name} has no help"


@pytest.mark.parametrize("template, args", [
    (TRAINING, ["--param", "alpha=0.5", "--artifact", "reviews=ai://default/text-classifier/data"]),
    (SERVING, ["--artifact", "textmodel=ai://default/e1/textmodel"]),
])
def test_render_prints_what_make_render_prints(tmp_path, template, args):
    ours = aicore_ops("render", str(template), *args, cwd=tmp_path)  # outside the checkout: found all the same
    assert ours.returncode == 0, ours.stderr
    theirs = make_render(str(template), *args)
    assert theirs.returncode == 0, theirs.stderr
    assert list(yaml.safe_load_all(ours.stdout)) == list(yaml.safe_load_all(theirs.stdout))
    as_json = aicore_ops("render", str(template), *args, "--json", cwd=tmp_path)
    assert json.loads(as_json.stdout) == list(yaml.safe_load_all(theirs.stdout))


def test_render_names_the_file_and_reason_or_the_usage_error(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [broken")
    failed = aicore_ops("render", str(broken), cwd=tmp_path)
    assert failed.returncode == 4 and f"{broken}: invalid YAML" in " ".join(failed.stderr.split())
    unbound = aicore_ops("render", str(SERVING), cwd=tmp_path)
    assert unbound.returncode == 4 and "input artifact 'textmodel' has no value" in unbound.stderr
    usage = aicore_ops("render", str(TRAINING), "--param", "alpha", cwd=tmp_path)
    assert usage.returncode == 2 and "parameter 'alpha' is not name=value" in usage.stderr


def test_render_without_the_project_says_what_it_needs(tmp_path):
    """`pip install .` packages the command line alone: render refuses by name instead of guessing."""
    alone = tmp_path / "site"
    shutil.copytree(ROOT / "aicore_ops", alone / "aicore_ops", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run([sys.executable, "-m", "aicore_ops", "render", str(TRAINING)], cwd=alone,
                         capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert run.returncode == 2, run.stdout + run.stderr
    assert "render needs the project's checkout" in run.stderr


def _result(synced, broken):
    return SyncResult(application="app", sync_status="OutOfSync", health_status="Degraded", message="1 of 2 not "
                      "applied", revision="abc", synced=synced, broken=broken)


def test_a_needed_executable_kept_from_an_earlier_sync_stops_apply():
    """The stack keeps a working executable when its file breaks (status OutOfSync, "kept from an earlier sync"):
    running it would run the old template, so apply stops and names the file."""
    kept = {"name": "train", "kind": "WorkflowTemplate", "status": "OutOfSync",
            "message": "kept from an earlier sync: templates/train.yaml has errors"}
    problem = {"name": "templates/train.yaml", "kind": "File", "status": "OutOfSync", "message": "invalid YAML"}
    with pytest.raises(ApplyFailed, match="templates/train.yaml") as failed:
        check_sync(_result([{"name": "serve", "status": "Synced"}], [kept, problem]), ["train", "serve"])
    assert failed.value.exit_code == 4
    # A broken file the config does not need only warns (apply prints it): no exception.
    check_sync(_result([{"name": "train", "status": "Synced"}, {"name": "serve", "status": "Synced"}], [problem]),
               ["train", "serve"])


def test_the_profile_sap_aicore_configure_writes_is_the_one_used(tmp_path):
    """SAP's own `aicore -p dev configure -k key.json` (ai-core-sdk's CLI) writes the profile; aicore-ops -p dev
    reads it, the environment overrides it, and the secret is never printed."""
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"clientid": "sb-ops", "clientsecret": "s3cr3t-value", "url": "https://auth.example",
                               "serviceurls": {"AI_API_URL": "https://api.example"}}))
    home = {"PATH": "/usr/bin:/bin", "AICORE_HOME": str(tmp_path)}
    sap = subprocess.run([str(SCRIPT.with_name("aicore")), "-p", "dev", "configure", "-k", str(key), "-g", "team-rg"],
                         env=home, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert sap.returncode == 0 and (tmp_path / "config_dev.json").exists(), sap.stdout + sap.stderr

    def shown(*args, **env):
        run = subprocess.run([str(SCRIPT), *args, "profile", "--json"], env={**home, **env}, capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0 and "s3cr3t-value" not in run.stdout + run.stderr, run.stderr
        return json.loads(run.stdout)

    assert shown("-p", "dev") == {"profile": "dev", "auth_url": "https://auth.example/oauth/token",
                                  "client_id": "sb-ops", "client_secret": "***", "base_url": "https://api.example/v2",
                                  "resource_group": "team-rg"}
    assert shown(AICORE_PROFILE="dev")["client_id"] == "sb-ops"
    assert shown("-p", "dev", AICORE_RESOURCE_GROUP="from-ci")["resource_group"] == "from-ci"
    missing = subprocess.run([str(SCRIPT), "-p", "prd", "runs"], env=home, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "config_prd.json" in missing.stderr
