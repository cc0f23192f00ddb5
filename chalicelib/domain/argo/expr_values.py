"""How Go prints values, so a tag's result reads exactly as in Argo.

Argo writes an expression's result with Go's json.Marshal (strings as they are, 2 not 2.0, true/false, compact
JSON with sorted keys and <, >, & escaped as \\u003c...), and `string(x)` / sprig's toString with fmt's %v
("1e+06", "[a b]", "map[k:v]"). Python's str/json differ on each of these points.
"""
from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any, Optional


class EvalFailure(Exception):
    """A runtime error inside an expression (type mismatch, bad index); wrapped into ExpressionError."""


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def go_type(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _digits(f: float):
    """Shortest round-trip digits of f (as Go's strconv uses them): (sign, digits, decimal point position)."""
    sign, digits, exponent = Decimal(repr(f)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)
    if text == "0":
        point = 1
    return "-" if sign else "", text, point


def _exponent_form(sign: str, text: str, point: int) -> str:
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    exp = point - 1
    return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fixed_form(sign: str, text: str, point: int) -> str:
    if point <= 0:
        return f"{sign}0.{'0' * -point}{text}"
    if point >= len(text):
        return sign + text + "0" * (point - len(text))
    return f"{sign}{text[:point]}.{text[point:]}"


def go_json_float(f: float) -> str:
    """encoding/json: plain decimals, exponent form only below 1e-6 or from 1e21 on ('1e-7', '1e+21')."""
    if math.isnan(f) or math.isinf(f):
        raise EvalFailure(f"json: unsupported value: {go_sprint(f)}")
    if f == 0:
        return "0"
    sign, text, point = _digits(f)
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        return _exponent_form(sign, text, point).replace("e-0", "e-").replace("e+0", "e+")
    return _fixed_form(sign, text, point)


def go_sprint_float(f: float) -> str:
    """fmt's %v: shortest digits, exponent form when the exponent is < -4 or >= 6 (1e+06, 123456)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    sign, text, point = _digits(f)
    if point - 1 < -4 or point - 1 >= 6:
        return _exponent_form(sign, text, point)
    return _fixed_form(sign, text, point)


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
                 "\b": "\\u0008", "\f": "\\u000c"}


def _json_string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    if any(c in s for c in _JSON_ESCAPES):
        out = out.replace("\\b", "\\u0008").replace("\\f", "\\u000c")
        for raw, escaped in _JSON_ESCAPES.items():
            if raw not in "\b\f":
                out = out.replace(raw, escaped)
    return out


def go_json(value: Any, indent: Optional[str] = None, _level: int = 0) -> str:
    """Go's json.Marshal (indent: json.MarshalIndent with that indent)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_json_float(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, (list, tuple, dict)):
        if isinstance(value, dict):
            parts = [f"{_json_string(str(k))}:{' ' if indent else ''}{go_json(value[k], indent, _level + 1)}"
                     for k in sorted(value, key=str)]
            opening, closing = "{", "}"
        else:
            parts = [go_json(v, indent, _level + 1) for v in value]
            opening, closing = "[", "]"
        if not parts:
            return opening + closing
        if indent is None:
            return opening + ",".join(parts) + closing
        inner, outer = "\n" + indent * (_level + 1), "\n" + indent * _level
        return opening + inner + ("," + inner).join(parts) + outer + closing
    raise EvalFailure(f"json: unsupported type {go_type(value)}")


def go_sprint(value: Any) -> str:
    """Go's fmt %v."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_sprint_float(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)


def format_value(value: Any) -> str:
    """A value as a tag prints it: strings as they are, anything else as Go's json.Marshal writes it."""
    return value if isinstance(value, str) else go_json(value)
