"""expr-lang (Argo's `{{= ...}}` tags) parsed by precedence climbing and written as Python source for simpleeval
(why: see expr_syntax.py). Precedences and forms follow expr-lang's parser (parser/parser.go, operator.go)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import List

from chalicelib.domain.argo.expr_syntax import ExpressionError, Token, tokenize_expr

# expr-lang's binary operators and precedences (parser/operator/operator.go); '^' is '**'.
_BINARY = {"|": 0, "or": 10, "||": 10, "and": 15, "&&": 15, "==": 20, "!=": 20, "<": 20, ">": 20, ">=": 20,
           "<=": 20, "in": 20, "matches": 20, "contains": 20, "startsWith": 20, "endsWith": 20, "..": 25,
           "+": 30, "-": 30, "*": 60, "/": 60, "%": 60, "**": 100, "^": 100, "??": 500}
_RIGHT_ASSOC = {"**", "^"}
_UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}
_CHAINED = {"<", ">", "<=", ">="}  # expr-lang reads a < b < c as a < b && b < c
_CALL_OPS = {"matches": "_matches", "contains": "_contains", "startsWith": "_starts", "endsWith": "_ends",
             "..": "_range", "in": "_in"}
_PY_OPS = {"+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "**": "**", "^": "**",
           "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
# Closures Argo's docs show: map/filter & co. become Python comprehensions over `#` (and `.field` = #.field).
_PREDICATES = {"all", "any", "none", "one", "filter", "map", "count", "find", "findIndex", "findLast",
               "findLastIndex", "sum"}


class _Parser:
    """Precedence climbing over expr-lang tokens; every method returns Python source."""

    def __init__(self, text: str, functions: frozenset):
        self.functions = functions
        self.tokens = tokenize_expr(text)
        self.i = 0
        self.depth = 0  # closure nesting: `#` is _it<depth-1>

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def at(self, *values: str) -> bool:
        kind, value, _ = self.tok
        return kind == "op" and value in values

    def take(self, value: str) -> None:
        if not self.at(value):
            self.fail(f"expected {value!r}")
        self.i += 1

    def fail(self, why: str) -> None:
        kind, value, pos = self.tok
        shown = "end of expression" if kind == "eof" else repr(value)
        raise ExpressionError(f"{why}, found {shown} at position {pos}")

    # -- grammar
    def parse(self) -> str:
        src = self.expression(0)
        if self.tok[0] != "eof":
            self.fail("unexpected token")
        return src

    def expression(self, precedence: int, soft: bool = False) -> str:
        start, previous = self.i, ""
        left = self.unary(soft)
        while self.tok[0] == "op":
            op = self.tok[1]
            negate = op == "not"
            if negate:  # `not in`, `not contains`, ...
                nxt = self.tokens[self.i + 1]
                if nxt[0] != "op" or nxt[1] not in ("in", "matches", "contains", "startsWith", "endsWith"):
                    self.fail("unexpected token")
                op = nxt[1]
            if op not in _BINARY or _BINARY[op] < precedence:
                break
            if op == "??" and not soft:
                # the left side of ?? may be absent (a skipped step's output): read it again leniently, so a
                # missing name gives nil instead of an error, as expr's ?? does
                self.i = start
                return self.expression(precedence, soft=True)
            if previous == "??" and op != "??":
                self.fail(f"operator ({op}) and coalesce expressions (??) cannot be mixed; wrap either in parentheses")
            self.i += 2 if negate else 1
            left = self.binary(op, left, soft)
            if negate:
                left = f"(not {left})"
            previous = op
        if precedence == 0 and self.at("?"):
            self.i += 1
            if self.at(":"):  # `a ?: b` (expr's elvis form)
                self.i += 1
                return f"({left} if _truth({left}, '?:') else {self.expression(0)})"
            yes = self.expression(0)
            self.take(":")
            return f"({yes} if _truth({left}, '?:') else {self.expression(0)})"
        return left

    def binary(self, op: str, left: str, soft: bool) -> str:
        if op == "|":
            raise ExpressionError("the pipe operator '|' is not supported; call the function directly")
        if op == "??":
            return f"({left} if {left} is not None else {self.expression(_BINARY[op] + 1, soft)})"
        right = self.expression(_BINARY[op] + (0 if op in _RIGHT_ASSOC else 1), soft)
        if op in ("&&", "and", "||", "or"):
            word = "and" if op in ("&&", "and") else "or"
            return f"(_truth({left}, {op!r}) {word} _truth({right}, {op!r}))"
        if op in _CALL_OPS:
            return f"{_CALL_OPS[op]}({left}, {right})"
        src = f"({left} {_PY_OPS[op]} {right})"
        while op in _CHAINED and self.at(*_CHAINED):
            nxt = self.tok[1]
            self.i += 1
            further = self.expression(_BINARY[nxt] + 1, soft)
            src = f"({src} and ({right} {nxt} {further}))"
            right = further
        return src

    def unary(self, soft: bool) -> str:
        kind, value, _ = self.tok
        if kind == "op" and value in _UNARY:
            self.i += 1
            operand = self.expression(_UNARY[value], soft)
            if value in ("not", "!"):
                return f"(not _truth({operand}, '!'))"
            return f"(-{operand})" if value == "-" else f"(+{operand})"
        return self.postfix(self.primary(soft), soft)

    def primary(self, soft: bool) -> str:
        kind, value, _ = self.tok
        if kind in ("num", "str"):
            self.i += 1
            return repr(value)
        if kind == "name":
            self.i += 1
            if value in ("true", "false", "nil"):
                return {"true": "True", "false": "False", "nil": "None"}[value]
            if value == "sprig" and self.at("."):
                self.i += 1
                name = self.tok[1]
                self.i += 1
                return self.call("sprig_" + str(name), f"sprig.{name}")
            if self.at("("):
                return self.call(value, value)
            return f"_path({int(soft)}, {value!r})"
        if kind == "op" and value == "(":
            self.i += 1
            inner = self.expression(0, soft)
            self.take(")")
            return inner
        if kind == "op" and value == "[":
            self.i += 1
            return "[" + ", ".join(self.items("]")) + "]"
        if kind == "op" and value == "{":
            return self.map_literal()
        if kind == "op" and value == "#" and self.depth:
            self.i += 1
            return f"_it{self.depth - 1}"
        if kind == "op" and value == "." and self.depth:  # `.field` inside a closure is #.field
            return f"_it{self.depth - 1}"
        if kind == "op" and value in ("let", "if", "#", "|"):
            where = " outside map/filter/all/any/none/one/count/find/sum" if value == "#" else ""
            raise ExpressionError(f"'{value}' is not supported in Argo expression tags{where}")
        self.fail("unexpected token")
        return ""  # unreachable

    def items(self, close: str) -> List[str]:
        out: List[str] = []
        while not self.at(close):
            if out:
                self.take(",")
                if self.at(close):
                    break
            out.append(self.expression(0))
        self.take(close)
        return out

    def map_literal(self) -> str:
        self.take("{")
        pairs: List[str] = []
        while not self.at("}"):
            if pairs:
                self.take(",")
                if self.at("}"):
                    break
            kind, value, _ = self.tok
            if kind in ("num", "str", "name"):
                self.i += 1
                key = repr(str(value))
            elif self.at("("):
                key = self.expression(0)
            else:
                self.fail("a map key must be a quoted string, a number, a name or an expression in parentheses")
            self.take(":")
            pairs.append(f"{key}: {self.expression(0)}")
        self.take("}")
        return "{" + ", ".join(pairs) + "}"

    def call(self, name: str, shown: str) -> str:
        if name in _PREDICATES:
            return self.predicate(name)
        if name not in self.functions:
            raise ExpressionError(f"unknown function {shown}()")
        self.take("(")
        return f"{name}(" + ", ".join(self.items(")")) + ")"

    def predicate(self, name: str) -> str:
        self.take("(")
        array = self.expression(0)
        if name in ("sum", "count") and self.at(")"):  # the predicate is optional for these two
            self.i += 1
            return f"_sum(_iter({array}))" if name == "sum" else f"_count([_truth(x, 'count') for x in _iter({array})])"
        self.take(",")
        braced = self.at("{")
        if braced:
            self.i += 1
        self.depth += 1
        body = self.expression(0)
        var = f"_it{self.depth - 1}"
        self.depth -= 1
        if braced:
            self.take("}")
        self.take(")")
        each = f"for {var} in _iter({array})"
        test = f"_truth({body}, {name!r})"
        if name == "map":
            return f"[{body} {each}]"
        if name == "sum":
            return f"_sum([{body} {each}])"
        if name == "filter":
            return f"[{var} {each} if {test}]"
        if name in ("find", "findLast"):
            return f"_pick([{var} {each} if {test}], {name == 'findLast'})"
        if name in ("findIndex", "findLastIndex"):
            return f"_index([{test} {each}], {name == 'findLastIndex'})"
        return f"_{name}([{test} {each}])"  # all, any, none, one, count

    def postfix(self, src: str, soft: bool) -> str:
        while True:
            if self.at(".", "?."):
                optional = self.tok[1] == "?."
                self.i += 1
                if optional and self.at("["):
                    self.i += 1
                    src = self.index(src, soft or optional)
                    continue
                kind, value, _ = self.tok  # words like `not` or `matches` are valid names here too
                if kind not in ("name", "op") or not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", str(value)):
                    self.fail("expected a name after '.'")
                self.i += 1
                if self.at("("):
                    raise ExpressionError(f"method calls (.{value}()) are not supported")
                src = self.member(src, value, soft, optional)
            elif self.at("["):
                self.i += 1
                src = self.index(src, soft)
            else:
                return src

    @staticmethod
    def member(src: str, key: str, soft: bool, optional: bool) -> str:
        # A scope name followed by constant members (inputs.parameters.x, steps['a-b'].outputs) stays one
        # `_path(soft, 'inputs', 'parameters', 'x')`: one look-up of the flat key instead of building nested maps.
        if src.startswith("_path(") and not optional:
            return f"{src[:-1]}, {key!r})"
        return f"_get({src}, {key!r}, {int(soft or optional)})"

    def index(self, src: str, soft: bool) -> str:
        """After '[': an index x[k] or a slice x[a:b]."""
        kind, value, _ = self.tok
        if kind == "str" and self.tokens[self.i + 1][:2] == ("op", "]"):
            self.i += 2
            return self.member(src, value, soft, False)
        lower = "None" if self.at(":") else self.expression(0)
        if self.at(":"):
            self.i += 1
            upper = "None" if self.at("]") else self.expression(0)
            self.take("]")
            return f"_slice({src}, {lower}, {upper})"
        self.take("]")
        return f"_get({src}, {lower}, {int(soft)})"


@lru_cache(maxsize=2048)
def expr_to_python(text: str, functions: frozenset) -> str:
    """expr-lang source -> Python source over the expr_runtime helpers (cached: tags repeat a lot)."""
    return _Parser(text, functions).parse()
