"""`make render FILE=path/to/template.yaml [PARAMS="name=value ..."] [ARTIFACTS="name=ai://default/path ..."]`:
print, as YAML, the Argo `Workflow` the cluster path would submit for each WorkflowTemplate of the file, with
placeholder ids where a run would have real ones. Needs no stack and no cluster.

Input artifacts can only be given in the group's `default` object store here (Argo's default artifact
repository, so a key is enough); other stores are resolved through their secret, which needs a stack.
ServingTemplates (KServe InferenceServices) are not rendered yet.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from chalicelib.domain.argo.pods import WorkflowError
from chalicelib.domain.argo.render import render_workflow
from chalicelib.domain.errors import DomainError
from chalicelib.domain.object_store import parse_ai_url
from chalicelib.domain.templates import SERVING, WORKFLOW, TemplateError, load_documents

EXECUTION_ID = "execution-id"  # placeholders: a run has its own
NAMESPACE = "tenant-resource-group"


def _pairs(items: List[str], what: str) -> Dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} '{item}' is not name=value")
        pairs[name] = value
    return pairs


def _default_keys(artifacts: Dict[str, str]) -> Dict[str, str]:
    keys = {}
    for name, url in artifacts.items():
        secret, path = parse_ai_url(url)
        if secret != "default":
            raise ValueError(f"artifact '{name}': {url} is in object store '{secret}'; without a stack only "
                             "ai://default/... (the default artifact repository) can be rendered")
        keys[name] = path
    return keys


def render_file(text: str, params: Dict[str, str], artifacts: Dict[str, str]) -> List[dict]:
    rendered = []
    for document in load_documents(text):
        kind = document.get("kind") if isinstance(document, dict) else None
        if kind == WORKFLOW:
            rendered.append(render_workflow(document, params, EXECUTION_ID, NAMESPACE, _default_keys(artifacts)))
        elif kind == SERVING:
            raise ValueError("ServingTemplates (KServe InferenceServices) are not rendered yet")
        else:
            raise ValueError(f"a document of kind '{kind}' is neither a {WORKFLOW} nor a {SERVING}")
    return rendered


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="make render", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--param", action="append", default=[], help="name=value (repeatable)")
    parser.add_argument("--artifact", action="append", default=[], help="name=ai://default/path (repeatable)")
    args = parser.parse_args(argv)
    try:
        text = args.file.read_text()
        documents = render_file(text, _pairs(args.param, "parameter"), _pairs(args.artifact, "artifact"))
    except (OSError, ValueError, TemplateError, WorkflowError, DomainError) as err:
        print(f"make render: {args.file}: {getattr(err, 'message', None) or err}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(documents, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
