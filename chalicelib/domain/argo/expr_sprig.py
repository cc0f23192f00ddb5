"""Sprig's functions as Argo exposes them in expressions (`sprig.trim(x)`), with sprig's argument order (the
string last: sprig.replace(old, new, s)) and sprig's forgiving conversions (sprig.int('x') is 0, not an error).
Left out: dates, random values, crypto beyond sha sums, semver, network, os/env (Argo removes env too)."""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from typing import Any, Callable, Dict, List, Optional

from chalicelib.domain.argo.expr_values import EvalFailure, go_json, go_sprint, go_type, is_number


def strval(value: Any) -> str:
    return value if isinstance(value, str) else go_sprint(value)


def to_int64(value: Any) -> int:
    """spf13/cast's ToInt64 as sprig uses it: numbers truncate, strings parse (0x.. too), anything else 0."""
    if isinstance(value, bool):
        return int(value)
    if is_number(value):
        return int(value)
    if isinstance(value, str):
        text = re.sub(r"\.0+$", "", value)
        try:
            return int(text, 0)
        except ValueError:
            return 0
    return 0


def to_float64(value: Any) -> float:
    if isinstance(value, bool) or is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def empty(value: Any) -> bool:
    return value is None or value is False or value == 0 and is_number(value) or (
        isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def _int_div(a: Any, b: Any) -> int:
    a, b = to_int64(a), to_int64(b)
    if b == 0:
        raise EvalFailure("sprig.div: integer divide by zero")
    quotient = abs(a) // abs(b)  # Go truncates toward zero
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _int_mod(a: Any, b: Any) -> int:
    a, b = to_int64(a), to_int64(b)
    if b == 0:
        raise EvalFailure("sprig.mod: integer divide by zero")
    return a - b * _int_div(a, b)


def _round(value: Any, places: Any, round_on: float = 0.5) -> float:
    power = math.pow(10, to_float64(places))
    digit = power * to_float64(value)
    fraction = math.modf(digit)[0]
    return (math.ceil(digit) if fraction >= round_on else math.floor(digit)) / power


def _substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return s[:end]
    if end < 0 or end > len(s):
        return s[start:]
    return s[start:end]


def _trunc(n: int, s: str) -> str:
    if n < 0 and len(s) + n > 0:
        return s[len(s) + n:]
    if n >= 0 and len(s) > n:
        return s[:n]
    return s


def _strslice(value: Any) -> List[str]:
    if isinstance(value, (list, tuple)):
        return [strval(v) for v in value if v is not None]
    return [] if value is None else [strval(value)]


def _split_list(sep: str, s: str) -> List[str]:
    return list(s) if sep == "" else s.split(sep)


def _regex(pattern: str) -> "re.Pattern[str]":
    try:
        return re.compile(pattern)
    except re.error as err:
        raise EvalFailure(f"invalid regular expression {pattern!r}: {err}") from None


_GO_TEMPLATE = re.compile(r"\$(\$|\{(\w+)\}|(\w+))")


def _expand(template: str, match: "re.Match[str]") -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; unknown groups are empty."""
    def one(m: "re.Match[str]") -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2) or m.group(3)
        try:
            return match.group(int(name) if name.isdigit() else name) or ""
        except IndexError:  # Python's word for an unknown group number or name
            return ""
    return _GO_TEMPLATE.sub(one, template)


def _find_all(pattern: str, s: str, n: int) -> List[str]:
    found = [m.group(0) for m in _regex(pattern).finditer(s)]
    return found if n < 0 else found[:n]


def _regex_split(pattern: str, s: str, n: int) -> List[str]:
    if n == 0:
        return []
    return _regex(pattern).split(s, maxsplit=max(n - 1, 0))


def _b64dec(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode()
    except (ValueError, UnicodeDecodeError) as err:
        return str(err)  # sprig returns the error text instead of failing


def _from_json(s: Any) -> Any:
    try:
        return json.loads(s, parse_int=float)
    except (TypeError, ValueError):
        return None


def _to_json(value: Any, indent: Optional[str] = None) -> str:
    try:
        return go_json(value, indent)
    except EvalFailure:
        return ""


def _dict(*pairs: Any) -> Dict[str, Any]:
    return {strval(pairs[i]): (pairs[i + 1] if i + 1 < len(pairs) else "") for i in range(0, len(pairs), 2)}


def _title(s: str) -> str:  # Go's strings.Title: upper-case the first letter of each word, keep the rest
    return re.sub(r"(?<!\w)(\w)", lambda m: m.group(1).upper(), s)


def _kind(value: Any) -> str:
    kind = go_type(value)
    return {"array": "slice", "nil": "invalid"}.get(kind, kind)


SPRIG: Dict[str, Callable[..., Any]] = {
    # strings
    "upper": lambda s: strval(s).upper(), "lower": lambda s: strval(s).lower(), "title": _title,
    "untitle": lambda s: re.sub(r"(?<!\w)(\w)", lambda m: m.group(1).lower(), s),
    "trim": lambda s: strval(s).strip(), "trimAll": lambda cut, s: strval(s).strip(cut),
    "trimPrefix": lambda p, s: s[len(p):] if s.startswith(p) else s,
    "trimSuffix": lambda p, s: s[:-len(p)] if p and s.endswith(p) else s,
    "replace": lambda old, new, s: strval(s).replace(old, new), "contains": lambda sub, s: sub in strval(s),
    "hasPrefix": lambda p, s: strval(s).startswith(p), "hasSuffix": lambda p, s: strval(s).endswith(p),
    "repeat": lambda n, s: strval(s) * to_int64(n), "substr": _substr, "trunc": _trunc,
    "nospace": lambda s: re.sub(r"\s+", "", strval(s)),
    "abbrev": lambda w, s: s if w < 4 or len(s) <= w else s[:w - 3] + "...",
    "cat": lambda *v: " ".join(strval(x) for x in v if x is not None),
    "quote": lambda *v: " ".join(json.dumps(strval(x), ensure_ascii=False) for x in v if x is not None),
    "squote": lambda *v: " ".join(f"'{strval(x)}'" for x in v if x is not None),
    "indent": lambda n, s: " " * n + s.replace("\n", "\n" + " " * n),
    "nindent": lambda n, s: "\n" + " " * n + s.replace("\n", "\n" + " " * n),
    "split": lambda sep, s: {f"_{i}": part for i, part in enumerate(_split_list(sep, s))},
    "splitList": _split_list, "splitn": lambda sep, n, s: {f"_{i}": p for i, p in enumerate(s.split(sep, n - 1))},
    "join": lambda sep, v: sep.join(_strslice(v)), "sortAlpha": lambda v: sorted(_strslice(v)),
    "toString": strval, "toStrings": _strslice,
    "b64enc": lambda s: base64.b64encode(strval(s).encode()).decode(), "b64dec": _b64dec,
    "sha256sum": lambda s: hashlib.sha256(strval(s).encode()).hexdigest(),
    "sha1sum": lambda s: hashlib.sha1(strval(s).encode()).hexdigest(),  # noqa: S324 - a checksum, as sprig's
    # regular expressions (sprig's order: the pattern first)
    "regexMatch": lambda r, s: _regex(r).search(s) is not None,
    "regexFind": lambda r, s: (lambda m: m.group(0) if m else "")(_regex(r).search(s)),
    "regexFindAll": _find_all, "regexSplit": _regex_split, "regexQuoteMeta": re.escape,
    "regexReplaceAll": lambda r, s, repl: _regex(r).sub(lambda m: _expand(repl, m), s),
    "regexReplaceAllLiteral": lambda r, s, repl: _regex(r).sub(lambda m: repl, s),
    # numbers (sprig's integer math is int64; the *f forms are float64)
    "atoi": lambda s: int(s) if re.fullmatch(r"[+-]?\d+", strval(s)) else 0,
    "int": to_int64, "int64": to_int64, "float64": to_float64,
    "add": lambda *v: sum(to_int64(x) for x in v), "add1": lambda x: to_int64(x) + 1,
    "sub": lambda a, b: to_int64(a) - to_int64(b), "div": _int_div, "mod": _int_mod,
    "mul": lambda a, *v: math.prod([to_int64(a)] + [to_int64(x) for x in v]),
    "max": lambda a, *v: max([to_int64(a)] + [to_int64(x) for x in v]),
    "min": lambda a, *v: min([to_int64(a)] + [to_int64(x) for x in v]),
    "addf": lambda *v: math.fsum(to_float64(x) for x in v), "subf": lambda a, *v: to_float64(a) - math.fsum(
        to_float64(x) for x in v), "mulf": lambda a, *v: math.prod([to_float64(a)] + [to_float64(x) for x in v]),
    "divf": lambda a, b: to_float64(a) / to_float64(b) if to_float64(b) else math.inf,
    "maxf": lambda a, *v: max([to_float64(a)] + [to_float64(x) for x in v]),
    "minf": lambda a, *v: min([to_float64(a)] + [to_float64(x) for x in v]),
    "floor": lambda x: float(math.floor(to_float64(x))), "ceil": lambda x: float(math.ceil(to_float64(x))),
    "round": _round, "until": lambda n: list(range(to_int64(n))) if to_int64(n) >= 0 else list(
        range(0, to_int64(n), -1)), "untilStep": lambda a, b, step: list(range(a, b, step)) if step else [],
    # defaults and flow
    "default": lambda d, *given: d if not given or empty(given[0]) else given[0], "empty": empty,
    "coalesce": lambda *v: next((x for x in v if not empty(x)), None),
    "all": lambda *v: all(not empty(x) for x in v), "any": lambda *v: any(not empty(x) for x in v),
    "ternary": lambda yes, no, cond: yes if cond is True else no,
    "kindOf": _kind, "typeOf": go_type, "deepEqual": lambda a, b: a == b,
    # JSON, lists, dicts
    "toJson": _to_json, "toRawJson": _to_json, "toPrettyJson": lambda v: _to_json(v, "  "),
    "fromJson": _from_json, "list": lambda *v: list(v), "dict": _dict,
    "get": lambda d, k: d.get(k, "") if isinstance(d, dict) else "", "hasKey": lambda d, k: k in d,
    "keys": lambda *ds: sorted(k for d in ds for k in d), "values": lambda d: [d[k] for k in sorted(d)],
    "pluck": lambda name, *ds: [d[name] for d in ds if name in d],
    "first": lambda v: v[0] if v else None, "last": lambda v: v[-1] if v else None,
    "rest": lambda v: list(v[1:]), "initial": lambda v: list(v[:-1]),
    "append": lambda v, x: list(v) + [x], "prepend": lambda v, x: [x] + list(v),
    "concat": lambda *lists: [x for v in lists for x in v], "reverse": lambda v: list(reversed(v)),
    "uniq": lambda v: [x for i, x in enumerate(v) if x not in v[:i]],
    "compact": lambda v: [x for x in v if not empty(x)], "has": lambda needle, v: needle in (v or []),
    "without": lambda v, *drop: [x for x in v if x not in drop],
}
