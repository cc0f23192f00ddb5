"""The API function's import path (issue 8, cold start): `import app` in a fresh interpreter must not load the
cluster and Git machinery (kubernetes, hera, dulwich), test tools (moto) or what only some routes need, nor the
packages it was cut loose from (pydantic_settings, aws_lambda_powertools). The timing itself is bench/cold_start.py's
job: it prints the ratio, a test never asserts on time."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from cold_start import HEAVY  # noqa: E402  (the bench's list: one list for the test and the figure it prints)

NOT_ON_THE_API_PATH = HEAVY + ("pydantic_settings", "aws_lambda_powertools", "dotenv")


def loaded_by(code: str) -> set:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=120).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


@pytest.fixture(scope="module")
def app_modules() -> set:
    return loaded_by("import app")


@pytest.mark.parametrize("package", NOT_ON_THE_API_PATH)
def test_import_app_does_not_load(app_modules, package):
    assert package not in app_modules, f"`import app` loads {package}: import it inside the route or service " \
                                       "that needs it (bootstrap.Container builds services lazily)"


def test_the_check_sees_what_a_module_loads():
    """The subprocess really reports loaded packages: the same check catches yaml once something imports it."""
    assert "yaml" in loaded_by("import app, yaml")

