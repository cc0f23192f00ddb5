"""Argo's `when:` dialect (govaluate, after the {{...}} placeholders are substituted), written as Python source for
simpleeval - see expr_syntax.py for why there is a translator at all.

govaluate as Argo uses it (workflow/controller/steps.go shouldExecute): bare words are strings (Argo turns every
govaluate variable into a string, so `heads == heads` is true), numbers are float64, 'single' and "double" quoted
strings, true/false; operators by precedence, loosest first: ?: ??, ||, &&, == != > < >= <= =~ !~ in,
+ -, * / %, **, prefix ! and -. `&&`/`||`/`!` want booleans; `>`/`<` want two numbers or two strings."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, List, Tuple

from chalicelib.domain.argo.expr_syntax import ExpressionError
from chalicelib.domain.argo.expr_values import EvalFailure, go_sprint, is_number

_TOKENS = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d[\d.]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<word>[^\W\d_][\w.]*)
  | (?P<bracketed>\[[^\]]*\])
  | (?P<op>\?\?|\*\*|==|!=|>=|<=|=~|!~|&&|\|\||[-+*/%!<>?:,()])
""", re.X)
_LEVELS: List[Tuple[str, ...]] = [("||",), ("&&",), ("==", "!=", ">", "<", ">=", "<=", "=~", "!~", "in"),
                                  ("+", "-"), ("*", "/", "%"), ("**",)]


def _tokenize(text: str) -> List[Tuple[str, Any]]:
    tokens: List[Tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        m = _TOKENS.match(text, pos)
        if not m:
            raise ExpressionError(f"Invalid token: '{text[pos:]}' (hint: try wrapping the affected expression "
                                  f"in quotes (\"))")
        kind, raw = m.lastgroup, m.group()
        pos = m.end()
        if kind == "num":
            try:
                tokens.append(("value", float(raw)))
            except ValueError:
                raise ExpressionError(f"Unable to parse numeric value '{raw}' to float64") from None
        elif kind == "str":
            tokens.append(("value", re.sub(r"\\(.)", r"\1", raw[1:-1])))
        elif kind == "word":
            if raw in ("true", "false"):
                tokens.append(("value", raw == "true"))
            elif raw in ("in", "IN"):
                tokens.append(("op", "in"))
            else:
                tokens.append(("value", raw))  # a govaluate variable: Argo makes it a string
        elif kind == "bracketed":
            tokens.append(("value", raw[1:-1]))
        elif kind == "op":
            tokens.append(("op", raw))
    tokens.append(("eof", None))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0

    def at(self, *ops: str) -> bool:
        kind, value = self.tokens[self.i]
        return kind == "op" and value in ops

    def take(self, op: str) -> None:
        if not self.at(op):
            kind, value = self.tokens[self.i]
            shown = "end of expression" if kind == "eof" else repr(value)
            raise ExpressionError(f"expected '{op}', found {shown}")
        self.i += 1

    def parse(self) -> str:
        src = self.ternary()
        if self.tokens[self.i][0] != "eof":
            raise ExpressionError(f"unexpected {self.tokens[self.i][1]!r} after a complete expression")
        return src

    def ternary(self) -> str:
        src = self.level(0)
        while self.at("?", "??"):
            op = self.tokens[self.i][1]
            self.i += 1
            if op == "??":
                src = f"_w('??', {src}, {self.level(0)})"
            else:
                yes = self.level(0)
                self.take(":")
                src = f"({yes} if _w('?', {src}, True) else {self.level(0)})"
        return src

    def level(self, n: int) -> str:
        if n == len(_LEVELS):
            return self.prefix()
        src = self.level(n + 1)
        while self.at(*_LEVELS[n]):
            op = self.tokens[self.i][1]
            self.i += 1
            right = self.level(n + 1) if op != "**" else self.level(n)
            if op in ("&&", "||"):
                word = "and" if op == "&&" else "or"
                src = f"(_w({op!r}, {src}, True) {word} _w({op!r}, {right}, True))"
            else:
                src = f"_w({op!r}, {src}, {right})"
        return src

    def prefix(self) -> str:
        if self.at("!"):
            self.i += 1
            return f"(not _w('!', {self.prefix()}, True))"
        if self.at("-"):
            self.i += 1
            return f"_w('neg', {self.prefix()}, 0.0)"
        kind, value = self.tokens[self.i]
        if kind == "value":
            self.i += 1
            return repr(value)
        if self.at("("):
            self.i += 1
            items = [self.ternary()]
            while self.at(","):
                self.i += 1
                items.append(self.ternary())
            self.take(")")
            return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"
        shown = "end of expression" if kind == "eof" else repr(value)
        raise ExpressionError(f"unexpected {shown}")


@lru_cache(maxsize=1024)
def when_to_python(text: str) -> str:
    return _Parser(text).parse()


def _require(op: str, value: Any, test: Any, what: str) -> Any:
    if not test(value):
        raise EvalFailure(f"Value '{go_sprint(value)}' cannot be used with the {op}, it is not a {what}")
    return value


def _both(op: str, a: Any, b: Any) -> Tuple[Any, Any]:
    if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return a, b
    _require(f"comparator '{op}'", a if not is_number(a) else b, is_number, "number")
    return a, b


def _regex(a: Any, b: Any) -> bool:
    try:
        return re.search(str(b), str(a)) is not None
    except re.error as err:
        raise EvalFailure(f"Unable to compile regexp pattern '{b}': {err}") from None


def _number(op: str, a: Any, b: Any, fn: Any) -> Any:
    _require(f"modifier '{op}'", a, is_number, "number")
    _require(f"modifier '{op}'", b, is_number, "number")
    return fn(a, b)


def when_op(op: str, a: Any, b: Any) -> Any:
    """One govaluate operation; `b` is True for the boolean checks of &&, ||, ! and ?."""
    if op in ("&&", "||", "!", "?"):
        return _require(f"logical operator '{op}'", a, lambda v: isinstance(v, bool), "bool")
    if op == "??":
        return a if a is not None else b
    if op in ("==", "!="):
        same = (a == b) and (isinstance(a, bool) == isinstance(b, bool))
        return same if op == "==" else not same
    if op in (">", "<", ">=", "<="):
        a, b = _both(op, a, b)
        return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]
    if op in ("=~", "!~"):
        return _regex(a, b) == (op == "=~")
    if op == "in":
        if not isinstance(b, list):
            raise EvalFailure(f"Value '{go_sprint(b)}' cannot be used with the comparator 'in', it is not an array")
        return any(a == x and isinstance(a, bool) == isinstance(x, bool) for x in b)
    if op == "+" and (isinstance(a, str) or isinstance(b, str)):
        return go_sprint(a) + go_sprint(b)
    if op == "neg":
        return -_require("prefix '-'", a, is_number, "number")
    return _number(op, a, b, _ARITHMETIC[op])


_ARITHMETIC = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
               "/": lambda x, y: x / y if y else _inf(x), "%": lambda x, y: math.fmod(x, y) if y else _nan(),
               "**": lambda x, y: float(x) ** float(y)}


def _inf(x: float) -> float:
    return float("nan") if x == 0 else float("inf") * (1 if x > 0 else -1)


def _nan() -> float:
    return float("nan")
