"""Package the three stages once per test session (chalice package: ~25 s the first time, ~2 s per stage after)."""
import json
from pathlib import Path

import pytest

from infra.stages import STAGES
from infra.state_machines import STATE_MACHINES


def _missing_pieces():
    from app import app

    missing = [str(m.asl_path.relative_to(Path.cwd())) for m in STATE_MACHINES if not m.asl_path.exists()]
    if "cluster_task" not in {f.name for f in app.pure_lambda_functions}:
        missing.append('app.py: @app.lambda_function(name="cluster_task")')
    return missing


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """{stage: (path of sam.json, template dict)}"""
    missing = _missing_pieces()
    if missing:  # the Step Functions work lands them; without them the stack is not whole
        pytest.skip("the stack needs " + ", ".join(missing))
    from infra.package import package

    dist = tmp_path_factory.mktemp("dist")
    out = {}
    for stage in STAGES:
        path = package(stage, dist)
        out[stage] = (path, json.loads(path.read_text()))
    return out
