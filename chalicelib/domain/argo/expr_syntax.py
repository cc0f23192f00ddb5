"""The errors of Argo expressions, and the tokens of expr-lang (the language of `{{= ...}}` tags).

Why Argo expressions are translated at all: Argo evaluates `{{= ...}}` tags with expr-lang (Go) and `when:` with
govaluate (Go); there is no maintained Python implementation of either, and `eval` is not an option. So
expr_parser.py and when_syntax.py read each dialect (precedences as in the Go parsers) and write a fully
parenthesised Python expression whose operators keep Go's meaning through helper functions (expr_runtime.py:
`_path`, `_get`, `_truth`, ...); simpleeval runs that Python with only those helpers - no builtins, no attributes.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from chalicelib.domain.argo.pods import WorkflowError


class ExpressionError(WorkflowError):
    """An expression tag, a `when` or a `depends` cannot be read or evaluated; the message names it and why."""


class Unresolved(ExpressionError):
    """A tag names a variable the scope does not hold (yet)."""

    def __init__(self, name: str, message: Optional[str] = None):
        super().__init__(message or f"failed to resolve {{{{{name}}}}}")
        self.name = name


Token = Tuple[str, Any, int]  # kind ("num", "str", "name", "op", "eof"), value, offset

_EXPR_TOKENS = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<num>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>\?\?|\?\.|\.\.|&&|\|\||==|!=|<=|>=|\*\*|[-+*/%^<>!?:.,|#;=()\[\]{}])
""", re.X | re.S)
_WORD_OPS = {"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{3}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "uUx" and len(e) > 1:
            return chr(int(e[1:], 16))
        if e[0].isdigit() and len(e) == 3:
            return chr(int(e, 8))
        return _SIMPLE_ESCAPES.get(e, e)
    return _ESCAPE.sub(one, body)


def _number(text: str) -> Any:
    clean = text.replace("_", "")
    low = clean.lower()
    if low.startswith(("0x", "0o", "0b")):
        return int(clean, 0)
    if "." in clean or "e" in low:
        return float(clean)
    return int(clean)


def tokenize_expr(text: str) -> List[Token]:
    tokens: List[Token] = []
    pos = 0
    while pos < len(text):
        m = _EXPR_TOKENS.match(text, pos)
        if not m:
            raise ExpressionError(f"unrecognized character {text[pos]!r} at position {pos}")
        kind, raw = m.lastgroup, m.group()
        if kind == "num":
            tokens.append(("num", _number(raw), pos))
        elif kind == "str":
            tokens.append(("str", raw[1:-1] if raw[0] == "`" else _unescape(raw[1:-1]), pos))
        elif kind == "name":
            tokens.append(("op" if raw in _WORD_OPS else "name", raw, pos))
        elif kind == "op":
            tokens.append(("op", raw, pos))
        pos = m.end()
    tokens.append(("eof", None, len(text)))
    return tokens
