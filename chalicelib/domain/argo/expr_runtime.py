"""What the Python written by expr_syntax.py calls besides functions: operators with expr-lang's (Go) typing,
`&&`/`!`/`?:` that insist on booleans, member access on the scope, `in`, `matches`, ranges and closures."""
from __future__ import annotations

import ast
import operator
import re
from typing import Any, Callable, Dict, List, Mapping

from chalicelib.domain.argo.expr_syntax import Unresolved
from chalicelib.domain.argo.expr_values import EvalFailure, format_value, go_sprint, go_type, is_number


def _mismatch(a: Any, symbol: str, b: Any) -> EvalFailure:
    return EvalFailure(f"invalid operation: {go_type(a)} {symbol} {go_type(b)} "
                       f"({go_sprint(a)!r} {symbol} {go_sprint(b)!r})")


def _arith(symbol: str, fn: Callable, strings: bool = False) -> Callable:
    def apply(a: Any, b: Any) -> Any:
        if is_number(a) and is_number(b):
            return fn(a, b)
        if strings and isinstance(a, str) and isinstance(b, str):
            return a + b
        raise _mismatch(a, symbol, b)
    return apply


def _div(a: Any, b: Any) -> float:
    if b == 0:
        raise EvalFailure("division by zero")
    return float(a) / float(b)


def _mod(a: Any, b: Any) -> int:
    if not (isinstance(a, int) and isinstance(b, int)):
        raise EvalFailure(f"invalid operation: {go_type(a)} % {go_type(b)} (% needs integers)")
    if b == 0:
        raise EvalFailure("integer divide by zero")
    rest = abs(a) % abs(b)  # Go truncates toward zero: the sign follows the dividend
    return -rest if a < 0 else rest


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):  # Python's True == 1; Go's true != 1
        return False
    return a == b


def _order(symbol: str, fn: Callable) -> Callable:
    def apply(a: Any, b: Any) -> bool:
        if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
            return fn(a, b)
        raise _mismatch(a, symbol, b)
    return apply


def _negate(x: Any) -> Any:
    if not is_number(x):
        raise EvalFailure(f"invalid operation: -{go_type(x)}")
    return -x


OPERATORS = {
    ast.Add: _arith("+", operator.add, strings=True), ast.Sub: _arith("-", operator.sub),
    ast.Mult: _arith("*", operator.mul), ast.Div: _arith("/", _div), ast.Mod: _mod,
    ast.Pow: _arith("**", lambda a, b: float(a) ** float(b)),
    ast.Eq: _eq, ast.NotEq: lambda a, b: not _eq(a, b),
    ast.Lt: _order("<", operator.lt), ast.Gt: _order(">", operator.gt),
    ast.LtE: _order("<=", operator.le), ast.GtE: _order(">=", operator.ge),
    ast.IsNot: operator.is_not, ast.Not: operator.not_, ast.USub: _negate, ast.UAdd: lambda x: +_negate(x),
}


def _truth(value: Any, op: str) -> bool:
    if isinstance(value, bool):
        return value
    raise EvalFailure(f"invalid operation: {op} needs a bool, got {go_type(value)} ({go_sprint(value)})")


class Branch(dict):
    """A part of the scope as a nested map (steps -> flip-coin -> outputs -> result); knows its dotted path so a
    missing member is reported by its full name."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path


def scope_tree(scope: Mapping[str, Any], name: str) -> Any:
    """The value of top-level name `name` as expr sees it: flat dotted keys become nested maps (a more specific
    key wins over its parent, as in Argo's expand); leaves are strings as in Argo's scope (None = absent)."""
    prefix = name + "."
    children = [(key[len(prefix):], value) for key, value in scope.items() if key.startswith(prefix)]
    if not children:
        if name not in scope:
            raise Unresolved(name)
        return _leaf(scope[name])
    root = Branch(name)
    for rest, value in children:
        node = root
        parts = rest.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, Branch):
                child = node[part] = Branch(f"{node.path}.{part}")
            node = child
        if not isinstance(node.get(parts[-1]), Branch):
            node[parts[-1]] = _leaf(value)
    return root


def _leaf(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else format_value(value)


def _get(obj: Any, key: Any, soft: int) -> Any:
    if isinstance(obj, Branch):
        if key in obj:
            return obj[key]
        if soft:
            return None
        raise Unresolved(f"{obj.path}.{key}")
    if obj is None:
        if soft:
            return None
        raise EvalFailure(f"cannot fetch {go_sprint(key)} from nil")
    if isinstance(obj, dict):
        return obj.get(key)
    if isinstance(obj, (list, str)) and isinstance(key, int) and not isinstance(key, bool):
        if -len(obj) <= key < len(obj):
            return obj[key]
        raise EvalFailure(f"index out of range: {key} (array length is {len(obj)})")
    raise EvalFailure(f"cannot fetch {go_sprint(key)} from {go_type(obj)}")


def _slice(obj: Any, lower: Any, upper: Any) -> Any:
    if not isinstance(obj, (list, str)):
        raise EvalFailure(f"cannot slice {go_type(obj)}")
    return obj[lower:upper]


def _iter(value: Any) -> List[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise EvalFailure(f"cannot iterate over {go_type(value)}")


def _in(item: Any, container: Any) -> bool:
    if isinstance(container, dict):
        return item in container
    if isinstance(container, (list, tuple)):
        return any(_eq(item, x) for x in container)
    if container is None:
        return False
    raise EvalFailure(f"invalid operation: in {go_type(container)} (needs an array or a map)")


def _strings(name: str, fn: Callable) -> Callable:
    def apply(a: Any, b: Any) -> bool:
        if not (isinstance(a, str) and isinstance(b, str)):
            raise EvalFailure(f"invalid operation: {go_type(a)} {name} {go_type(b)}")
        return fn(a, b)
    return apply


def _regex_search(text: str, pattern: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error as err:
        raise EvalFailure(f"invalid regular expression {pattern!r}: {err}") from None


def _range(a: Any, b: Any) -> List[int]:
    if not (isinstance(a, int) and isinstance(b, int)) or isinstance(a, bool) or isinstance(b, bool):
        raise EvalFailure(f"invalid operation: {go_type(a)} .. {go_type(b)} (needs integers)")
    return list(range(a, b + 1))


def _sum(values: List[Any]) -> Any:
    if not all(is_number(v) for v in values):
        raise EvalFailure("invalid argument for sum: needs numbers")
    return sum(values)


def _pick(matches: list, last: bool) -> Any:
    return (matches[-1] if last else matches[0]) if matches else None


def _index(tests: list, last: bool) -> int:
    found = [i for i, ok in enumerate(tests) if ok]
    return (found[-1] if last else found[0]) if found else -1


HELPERS: Dict[str, Callable] = {
    "_truth": _truth, "_get": _get, "_slice": _slice, "_iter": _iter, "_in": _in,
    "_matches": lambda s, p: _strings("matches", _regex_search)(s, p),
    "_contains": _strings("contains", lambda a, b: b in a),
    "_starts": _strings("startsWith", str.startswith), "_ends": _strings("endsWith", str.endswith),
    "_range": _range,
    "_all": all, "_any": any, "_none": lambda tests: not any(tests), "_one": lambda tests: sum(tests) == 1,
    "_count": lambda tests: sum(1 for t in tests if t), "_sum": _sum,
    "_pick": _pick, "_index": _index,
}


def bind(scope: Mapping[str, Any]) -> Callable[..., Any]:
    """The `_path(soft, name, member, ...)` look-up for one evaluation over the flat scope."""
    def path(soft: int, *parts: str) -> Any:
        key = ".".join(parts)
        if key in scope:  # the usual case: the flat key itself, unless more specific keys make it a map
            prefix = key + "."
            if not any(name.startswith(prefix) for name in scope):
                return _leaf(scope[key])
        try:
            value = scope_tree(scope, parts[0])
            for part in parts[1:]:
                value = _get(value, part, soft)
        except Unresolved:
            if soft:
                return None
            raise Unresolved(key) from None  # the whole name, as the tag wrote it
        return value
    return path
