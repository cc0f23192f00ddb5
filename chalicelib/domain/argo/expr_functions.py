"""The functions an Argo expression may call: Argo's own (asInt, asFloat, toJson, jsonpath), expr-lang's
built-ins, and sprig's (as `sprig.name(...)`, with sprig's argument order: sprig.replace(old, new, s))."""
from __future__ import annotations

import base64
import json
import math
import re
from typing import Any, Callable, Dict, List

from jsonpath_ng.ext import parse as jsonpath_parse

from chalicelib.domain.argo.expr_sprig import SPRIG
from chalicelib.domain.argo.expr_values import EvalFailure, go_json, go_sprint, go_type, is_number

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.I)


def to_int(value: Any) -> int:
    """expr's int() (Argo's asInt): numbers truncate; a string must be a whole decimal number (Go's Atoi)."""
    if is_number(value):
        return int(value)
    if isinstance(value, str) and _INT.fullmatch(value):
        return int(value)
    raise EvalFailure(f"invalid operation: int({go_sprint(value)})")


def to_float(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str) and _FLOAT.fullmatch(value):
        return float(value)
    raise EvalFailure(f"invalid operation: float({go_sprint(value)})")


def from_json(text: Any) -> Any:
    """Go unmarshals JSON numbers into float64; so do we (1 prints as 1 either way)."""
    try:
        return json.loads(text, parse_int=float)
    except (TypeError, ValueError) as err:
        raise EvalFailure(f"invalid JSON {go_sprint(text)[:80]!r}: {err}") from None


_INDEFINITE = re.compile(r"\*|\.\.|\?\(|\[[^\]]*[:,]")


def jsonpath(text: Any, path: str) -> Any:
    """Argo's jsonpath(json, path): one value for a definite path ($.a.b[0]), a list when the path can match
    several (wildcards, filters, slices, unions) - as the Go library Argo uses returns them."""
    data = from_json(text)
    try:
        matches = [m.value for m in jsonpath_parse(path).find(data)]
    except Exception as err:  # noqa: BLE001 - jsonpath-ng raises plain Exceptions for some bad paths
        raise EvalFailure(f"invalid JSONPath {path!r}: {err}") from None
    if _INDEFINITE.search(path):
        return matches
    if not matches:
        raise EvalFailure(f"JSONPath {path!r} matched nothing")
    return matches[0]


def _len(value: Any) -> int:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    raise EvalFailure(f"invalid argument for len (type {go_type(value)})")


def _numbers(name: str, values: tuple) -> List[Any]:
    flat = list(values[0]) if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not flat or not all(is_number(v) for v in flat):
        raise EvalFailure(f"invalid argument for {name}: needs numbers")
    return flat


def _one_of(fn: Callable, value: Any) -> Any:
    if not is_number(value):
        raise EvalFailure(f"invalid argument (type {go_type(value)})")
    return float(fn(value))


def _round(x: float) -> float:  # Go's math.Round: halves away from zero
    return float(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def _split(text: str, sep: str, n: int = -1) -> List[str]:
    if n == 0:
        return []
    return text.split(sep, n - 1) if n > 0 else text.split(sep)


def _b64decode(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode()
    except (ValueError, UnicodeDecodeError) as err:
        raise EvalFailure(f"invalid base64 {text[:40]!r}: {err}") from None




BUILTINS: Dict[str, Callable] = {
    # Argo's additions (util/expr/env/env.go)
    "asInt": to_int, "asFloat": to_float, "toJson": go_json, "jsonpath": jsonpath,
    # expr-lang built-ins
    "int": to_int, "float": to_float, "string": go_sprint, "len": _len, "type": go_type,
    "toJSON": lambda v: go_json(v, indent="  "), "fromJSON": from_json,
    "toBase64": lambda s: base64.b64encode(s.encode()).decode(), "fromBase64": _b64decode,
    "trim": lambda s, chars=None: s.strip() if chars is None else s.strip(chars),
    "trimPrefix": lambda s, p: s[len(p):] if s.startswith(p) else s,
    "trimSuffix": lambda s, p: s[:-len(p)] if p and s.endswith(p) else s,
    "upper": lambda s: s.upper(), "lower": lambda s: s.lower(), "split": _split,
    "replace": lambda s, old, new: s.replace(old, new), "repeat": lambda s, n: s * n,
    "indexOf": lambda s, sub: s.find(sub), "lastIndexOf": lambda s, sub: s.rfind(sub),
    "hasPrefix": lambda s, p: s.startswith(p), "hasSuffix": lambda s, p: s.endswith(p),
    "join": lambda items, sep="": sep.join(items),
    "max": lambda *v: max(_numbers("max", v)), "min": lambda *v: min(_numbers("min", v)),
    "abs": lambda x: abs(x) if is_number(x) else _one_of(abs, x),
    "ceil": lambda x: _one_of(math.ceil, x), "floor": lambda x: _one_of(math.floor, x),
    "round": lambda x: _one_of(_round, x),
    "mean": lambda *v: float(sum(_numbers("mean", v))) / len(_numbers("mean", v)),
    "first": lambda a: a[0] if a else None, "last": lambda a: a[-1] if a else None,
    "take": lambda a, n: a[:n], "reverse": lambda a: list(reversed(a)),
    "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "sort": lambda a, order="asc": sorted(a, reverse=order == "desc"),
    "uniq": lambda a: [x for i, x in enumerate(a) if x not in a[:i]],
    "concat": lambda *arrays: [x for a in arrays for x in a],
    "flatten": lambda a: [y for x in a for y in (x if isinstance(x, list) else [x])],
    "get": lambda v, k: v.get(k) if isinstance(v, dict) else (v[k] if -len(v) <= k < len(v) else None),
}


def _checked(shown: str, fn: Callable) -> Callable:
    """Says a wrong call in the expression's terms ("upper(int)"), not in Python's ("'int' has no attribute")."""
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except (TypeError, AttributeError, ValueError, IndexError, KeyError):
            kinds = ", ".join(go_type(a) for a in args)
            raise EvalFailure(f"{shown}({kinds}): wrong number or type of arguments") from None
    return call


FUNCTIONS: Dict[str, Callable] = {
    **{name: _checked(name, fn) for name, fn in BUILTINS.items()},
    **{f"sprig_{name}": _checked(f"sprig.{name}", fn) for name, fn in SPRIG.items()},
}
