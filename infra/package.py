"""`make package STAGE=...`: the stage's CloudFormation (SAM) template and code packages in dist/<stage>/.

Renders the merge template (infra/resources.py) and runs `chalice package --merge-template` with it. Chalice caches the
dependency layer in .chalice/deployments/ keyed by requirements.txt and the Python version, so only the first stage
after a requirements change downloads wheels (about 25 s); every further stage takes a second or two.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .resources import render
from .stages import STAGES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGION = "eu-central-1"  # chalice package insists on a region; the template itself names none


def package(stage: str, dist: Path = ROOT / "dist") -> Path:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    build = ROOT / "infra" / "build" / stage
    build.mkdir(parents=True, exist_ok=True)
    merge = build / "resources.json"
    merge.write_text(json.dumps(render(stage), indent=2))
    out = dist / stage
    if out.exists():
        shutil.rmtree(out)  # chalice package refuses nothing but leaves stale files
    chalice = Path(sys.executable).with_name("chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)}
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge), str(out)],
                   cwd=ROOT, env=env, check=True)
    return out / "sam.json"


def main(argv) -> int:
    if len(argv) != 1 or argv[0] not in STAGES:
        print(f"usage: python -m infra.package {{{'|'.join(STAGES)}}}", file=sys.stderr)
        return 2
    print(f"wrote {package(argv[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
