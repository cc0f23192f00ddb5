"""The domain stays free of AWS, Kubernetes and Chalice; only adapters/dynamodb knows PynamoDB."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
FORBIDDEN_IN_DOMAIN = {"boto3", "botocore", "pynamodb", "kubernetes", "chalice", "moto", "dulwich", "hera"}


def imported_roots(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_domain_imports_no_infrastructure():
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "domain").rglob("*.py")
        for name in imported_roots(path)
        if name in FORBIDDEN_IN_DOMAIN
    }
    assert not offenders


def test_pynamodb_only_in_dynamodb_adapter():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "pynamodb" in set(imported_roots(path)) and "adapters/dynamodb" not in str(path)
    ]
    assert not offenders


def test_only_settings_reads_environment():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "os.environ" in path.read_text() and path.name not in ("settings.py", "stack.py")
    ]
    assert not offenders


def test_no_scan_anywhere():
    """Lists are Queries on keys or indexes; a Scan would read every tenant's items."""
    calls = (".scan(", "scan_table(", '"Scan"')
    offenders = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
                 if any(call in path.read_text() for call in calls)]
    assert not offenders
