"""cfn-lint on the packaged template of every stage: no error, and no warning or note unless explained below."""
import json
import subprocess
import sys
from pathlib import Path

# (rule id, resource logical id or None for any) -> why it is acceptable. Keep each reason honest and specific.
EXPLAINED = {
    # None today: the packaged templates of dev, tst and prd lint clean (errors, warnings and informational).
}


def _findings(paths):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), "--format", "json", *map(str, paths)], capture_output=True, text=True)
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout)


def _explained(finding) -> bool:
    rule = finding["Rule"]["Id"]
    path = finding["Location"].get("Path") or []
    resource = path[1] if len(path) > 1 and path[0] == "Resources" else None
    return (rule, resource) in EXPLAINED or (rule, None) in EXPLAINED


def test_every_stage_lints_clean(packaged):
    findings = _findings(path for path, _ in packaged.values())
    unexplained = [f"{f['Level']} {f['Rule']['Id']} {f['Filename']} {'/'.join(map(str, f['Location'].get('Path') or []))}:"
                   f" {f['Message']}" for f in findings if not _explained(f)]
    assert not unexplained, "\n".join(unexplained)
