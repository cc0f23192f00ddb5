"""Lambda cold start of the API function: `import app` against its peer, `import boto3, pynamodb, chalice, pydantic,
croniter` (what any function of this design imports), each in a fresh interpreter, median of ROUNDS, the
interpreter's own start subtracted from both. Prints figures; never fails on time. Goal (issue 8): ratio <= 1.3.
It also lists what `import app` must not pull in (the kubernetes client, hera, dulwich, boto3's S3 transfer...).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 9
PEER = "import boto3, pynamodb, chalice, pydantic, croniter"
HEAVY = ("kubernetes", "hera", "dulwich", "moto", "yaml", "simpleeval", "jsonpath_ng")


def seconds(code: str) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    bare = seconds("pass")
    app = seconds("import app") - bare
    peer = seconds(PEER) - bare
    loaded = subprocess.run([sys.executable, "-c", "import app, sys; print(' '.join(sorted(sys.modules)))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    heavy = sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in HEAVY})
    print(f"import app: {app * 1000:6.1f} ms; peer ({PEER}): {peer * 1000:6.1f} ms; "
          f"ratio {app / peer:4.2f} (goal <= 1.3; median of {ROUNDS}, interpreter start subtracted)")
    print(f"heavy modules on the API's import path: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
