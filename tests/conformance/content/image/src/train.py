"""Conformance training step: reads /app/data/, writes /app/model/, logs metrics with ai_core_sdk unchanged.

`--env hold` keeps the run going (up to two minutes) so tests can drive a live execution's routes."""
import argparse
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--env", default="")
args = parser.parse_args()

if args.env == "hold":
    print("holding until stopped", flush=True)
    time.sleep(120)
    sys.exit(1)

rows = []
for name in sorted(os.listdir("/app/data")):
    with open(os.path.join("/app/data", name)) as f:
        rows += [line for line in f.read().splitlines() if line]
print(f"read {len(rows)} rows from /app/data", flush=True)
os.makedirs("/app/model", exist_ok=True)
with open("/app/model/model.txt", "w") as f:
    f.write(f"rows={len(rows)} env={args.env}\n")

from datetime import datetime, timezone  # noqa: E402

from ai_core_sdk.models import Metric  # noqa: E402
from ai_core_sdk.tracking import Tracking  # noqa: E402

Tracking().log_metrics(metrics=[Metric(name="rows", value=float(len(rows)), timestamp=datetime.now(timezone.utc), step=1)])
print("model written to /app/model/model.txt; metrics logged", flush=True)
