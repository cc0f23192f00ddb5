"""Lambda cold start of the API function: `import app` against its peer, `import boto3, pynamodb, chalice, pydantic,
croniter` (what any function of this design imports), each in a fresh interpreter, median CPU time of ROUNDS, the
interpreter's own start subtracted from both. Prints figures; never fails on time. Goal (issue 8): ratio <= 1.3.
It also lists what `import app` must not pull in (the kubernetes client, hera, dulwich, boto3's S3 transfer...).

Lambda cannot write __pycache__ (the code is read-only), so a package without bytecode compiles every module of
the app on every cold start; the second figure is the same import from a copy compiled ahead of time (as
`python -m compileall --invalidation-mode checked-hash app.py chalicelib` before packaging would ship it).
"""
from __future__ import annotations

import compileall
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 9
PEER = "import boto3, pynamodb, chalice, pydantic, croniter"
HEAVY = ("kubernetes", "hera", "dulwich", "moto", "yaml", "simpleeval", "jsonpath_ng")


def medians(cases: Dict[str, Tuple[str, Path]]) -> Dict[str, float]:
    """CPU seconds (user + system) of each interpreter, median per case. CPU time, not wall time: on a shared machine
    waiting for a core would count against whichever side ran at a busy moment; the cases are interleaved round by
    round as well."""
    times: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, (code, cwd) in cases.items():
            child = subprocess.Popen([sys.executable, "-c", code], cwd=cwd)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                raise SystemExit(f"{code!r} failed with exit code {child.returncode}")
            times[name].append(usage.ru_utime + usage.ru_stime)
    return {name: statistics.median(values) for name, values in times.items()}


def compiled_copy(into: Path) -> Path:
    shutil.copy2(ROOT / "app.py", into / "app.py")
    shutil.copytree(ROOT / "chalicelib", into / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    mode = py_compile.PycInvalidationMode.CHECKED_HASH
    compileall.compile_file(into / "app.py", quiet=1, invalidation_mode=mode)
    compileall.compile_dir(into / "chalicelib", quiet=1, invalidation_mode=mode)
    return into


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        m = medians({"bare": ("pass", ROOT), "app": ("import app", ROOT), "peer": (PEER, ROOT),
                     "compiled": ("import app", compiled_copy(Path(tmp)))})
    app, peer, compiled = (m[name] - m["bare"] for name in ("app", "peer", "compiled"))
    loaded = subprocess.run([sys.executable, "-c", "import app, sys; print(' '.join(sorted(sys.modules)))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    heavy = sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in HEAVY})
    print(f"import app: {app * 1000:6.1f} ms; peer ({PEER}): {peer * 1000:6.1f} ms; "
          f"ratio {app / peer:4.2f} (goal <= 1.3; CPU time, median of {ROUNDS}, interpreter start subtracted)")
    print(f"import app with its bytecode compiled ahead: {compiled * 1000:6.1f} ms; ratio {compiled / peer:4.2f}")
    print(f"heavy modules on the API's import path: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
