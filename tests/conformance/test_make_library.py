"""Issue 11's "Done when": `make library` against a running stack, then the request it prints for each package, as a
user does it: the tenant comes from the profile `make run` writes into AICORE_HOME (no AICORE_* in the shell), and
the printed lines run unchanged in a clean shell."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["duplicate-bug-detection", "flake-analysis", "sentiment-analysis"]


def clean_env(**extra) -> dict:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}, **extra}


@pytest.fixture(scope="module")
def made(stack, tmp_path_factory):
    home = tmp_path_factory.mktemp("make-library-home")
    exports = {**stack.mint_tenant("library-make")}
    (home / "config.json").write_text(json.dumps(exports))  # the profile make run writes (AICORE_* keys)
    run = subprocess.run(["make", "-s", "library", f"PYTHON={sys.executable}"], cwd=ROOT,
                         env=clean_env(AICORE_HOME=str(home)), capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    yield run.stdout, home
    for deployment in re.findall(r"predict (\w+) ", run.stdout):
        subprocess.run([str(Path(sys.executable).parent / "aicore-ops"), "stop", deployment],
                       env=clean_env(AICORE_HOME=str(home)), capture_output=True, timeout=60)


def printed_request(stdout: str, package: str) -> str:
    """The aicore-ops line under the package's "Try it"."""
    lines = stdout.splitlines()
    at = lines.index(next(l for l in lines if l.startswith(f"{package}: RUNNING at ")))
    assert lines[at + 1].startswith("Try it"), lines[at:at + 3]
    return lines[at + 2].strip()


def answer(stdout: str, package: str):
    command = printed_request(stdout, package)
    done = subprocess.run(["bash", "-c", command], env=clean_env(PATH="/usr/bin:/bin"), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, (command, done.stderr)
    return json.loads(done.stdout)


def test_every_package_is_installed_and_running(made):
    stdout, _ = made
    for package in PACKAGES:
        assert f"{package}: RUNNING at " in stdout, stdout[-3000:]


def test_the_printed_request_returns_a_sentiment(made):
    predictions = answer(made[0], "sentiment-analysis")["predictions"]
    assert predictions and all(p["label"] in ("positive", "negative", "neutral") and 0 <= p["score"] <= 1
                               for p in predictions)


def test_the_printed_request_returns_flaky_probabilities(made):
    predictions = answer(made[0], "flake-analysis")["predictions"]
    assert predictions and all(0 <= p["flaky_probability"] <= 1 and p["evidence"] for p in predictions)
    assert max(p["flaky_probability"] for p in predictions) > 0.5 > min(p["flaky_probability"] for p in predictions)


def test_the_printed_request_returns_duplicates(made):
    predictions = answer(made[0], "duplicate-bug-detection")["predictions"]
    assert predictions and predictions[0] and all({"id", "score"} <= set(hit) for hit in predictions[0])
    scores = [hit["score"] for hit in predictions[0]]
    assert scores == sorted(scores, reverse=True)
