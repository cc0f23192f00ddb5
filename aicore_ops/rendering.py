"""`aicore-ops render FILE`: the manifest the cluster would run for a template file, the same as `make render`.

Rendering uses the project's own rules (chalicelib's cluster renderer), so it needs the project's checkout and
virtual environment: `pip install .` packages the command line alone, and then render says so instead of
guessing a manifest."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

# In the project's checkout (the editable install `make install` does) the package sits beside chalicelib/.
CHECKOUT = Path(__file__).resolve().parents[1]


class RenderUnavailable(Exception):
    """The command line runs without the project's code (installed alone with `pip install .`)."""


class RenderFailed(Exception):
    """The file, a parameter or an artifact is wrong; the message names the file and the reason."""


def _renderer():
    if (CHECKOUT / "chalicelib").is_dir() and str(CHECKOUT) not in sys.path:
        sys.path.append(str(CHECKOUT))
    try:
        from chalicelib.adapters.local import render
    except ImportError as err:
        raise RenderUnavailable(f"render needs the project's checkout and its virtual environment (`make "
                                f"install`), which has the cluster renderer; it is not importable here: {err}")
    return render


def render(path: Path, params: List[str], artifacts: List[str]) -> List[dict]:
    """Bad name=value pairs are usage errors (ValueError, raised as is); anything wrong in the file fails."""
    renderer = _renderer()
    named: Dict[str, str] = renderer.pairs(params, "parameter")
    located: Dict[str, str] = renderer.pairs(artifacts, "artifact")
    try:
        return renderer.render_file(path.read_text(), named, located)
    except renderer.RENDER_ERRORS as err:
        raise RenderFailed(f"{path}: {renderer.error_message(err)}") from err


def as_yaml(documents: List[dict]) -> str:
    import yaml  # the project's environment has it whenever render works

    return yaml.safe_dump_all(documents, sort_keys=False)
