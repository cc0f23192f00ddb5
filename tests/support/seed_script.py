"""The seed's CI/CD script as a runnable file: `../shared/seeds/cicd-pipeline/pipeline.py`, checked against the
code printed in the seed text it came from.

pipeline.py says "nothing else is changed" but lost a line of the seed (`return artifacts, executions,
deployments` at the end of `load_deployment_configuration`). The shared folder is the users' and read only, so
tests build the script from both: a line diff that ignores whitespace (the blog lost the indentation) between the
seed's code and pipeline.py may show only lines that pipeline.py lacks; those are put back with the indentation
of the line before them. Any other difference fails loudly. Once the shared file is fixed, it runs as it is.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import List, Tuple

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PIPELINE = SHARED / "seeds" / "cicd-pipeline" / "pipeline.py"
SEED = SHARED / "seeds" / "002_ee7f93f51eea2805.txt"


class SeedMismatch(AssertionError):
    """pipeline.py differs from the seed's code by more than lost lines."""


def _norm(line: str) -> str:
    return "".join(line.split())


def _seed_code(seed_text: str, first: str, last: str) -> List[str]:
    """The seed's code block: from the line equal to pipeline.py's first code line through its last one."""
    lines = [_norm(l) for l in seed_text.splitlines() if l.strip()]
    try:
        start = lines.index(first)
        end = len(lines) - 1 - lines[::-1].index(last)
    except ValueError:
        raise SeedMismatch(f"the seed text has no code block from '{first}' to '{last}'") from None
    return lines[start:end + 1]


def restore(pipeline_text: str, seed_text: str) -> Tuple[str, List[str]]:
    """(runnable script, the lines put back). pipeline.py's leading comment lines are its own note."""
    lines = pipeline_text.splitlines()
    first = next(i for i, l in enumerate(lines) if l.strip() and not l.lstrip().startswith("#"))
    code = [i for i, l in enumerate(lines) if i >= first and l.strip()]
    ours = [_norm(lines[i]) for i in code]
    seed = _seed_code(seed_text, ours[0], ours[-1])
    inserts: List[Tuple[int, List[str]]] = []  # (index into `lines` after which to insert, seed lines)
    for op, s1, s2, p1, p2 in difflib.SequenceMatcher(None, seed, ours, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op != "delete" or p1 == 0:
            raise SeedMismatch(f"pipeline.py differs from the seed beyond lost lines: {op} seed {seed[s1:s2]} "
                               f"vs pipeline.py {ours[p1:p2]}")
        inserts.append((code[p1 - 1], seed[s1:s2]))
    restored, put_back = list(lines), []
    for after, group in reversed(inserts):
        indent = lines[after][:len(lines[after]) - len(lines[after].lstrip())]
        originals = [_original(seed_text, l) for l in group]
        restored[after + 1:after + 1] = [indent + l for l in originals]
        put_back = originals + put_back
    return "\n".join(restored) + "\n", put_back


def _original(seed_text: str, normalized: str) -> str:
    """The seed's own spelling of a line (its spaces between words), without leading whitespace."""
    return next(l.strip() for l in seed_text.splitlines() if _norm(l) == normalized)


def runnable_pipeline(target: Path) -> List[str]:
    """Write the seed's script to `target`; return the lines that had to be put back (empty once fixed)."""
    script, put_back = restore(PIPELINE.read_text(), SEED.read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script)
    return put_back
