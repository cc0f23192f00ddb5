"""Argo's template tags and conditions: `{{name}}` and `{{= expression}}` substitution, expression evaluation
(expr-lang), and `when:` (govaluate).

The scope is flat, as Argo's: {"inputs.parameters.x": "1", "steps.flip-coin.outputs.result": "heads",
"item": ..., "item.a": "1", "workflow.parameters.p": "v", "retries": "0"}; a value of None is an absent output (a
skipped step's), which a simple tag refuses and an expression sees as nil (`??` picks a fallback).

How values print (as Argo, which writes them with Go's json.Marshal): strings as they are; 2 (not 2.0) for a
whole number, 0.5, 1e+21; true/false; nil is an error; lists and maps as compact JSON with sorted keys
(["a",1], {"k":"v"}), <, > and & inside them escaped as \\u003c, \\u003e, \\u0026.

Inside an expression the flat names are nested maps (inputs.parameters.x, steps['flip-coin'].outputs.result) and
every leaf is a string, as in Argo (use asInt/asFloat for numbers); a non-string scope value (an item that is a
map or list) is seen as its JSON text unless its `item.key` entries exist, which then make up the map.

Not supported (each an ExpressionError naming it): the pipe operator, `let`, `if {} else {}`, method calls,
closures other than map/filter/all/any/none/one/count/sum/find/findIndex/findLast/findLastIndex (no reduce,
groupBy, sortBy, #index, #acc), date/time functions (now, date, duration), sprig's date, random, crypto (beyond
sha1/256 sums) and semver functions; govaluate's date strings and bit operators in `when`. simpleeval's limits
apply: string literals up to 100000 characters, closures over up to 10000 elements. An unclosed "{{" is left as
text (Argo refuses the template).
"""
from __future__ import annotations

import ast
import operator
import re
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Tuple

from simpleeval import EvalWithCompoundTypes, InvalidExpression, SimpleEval

from chalicelib.domain.argo.expr_functions import FUNCTIONS
from chalicelib.domain.argo.expr_runtime import HELPERS, OPERATORS, bind
from chalicelib.domain.argo.expr_parser import expr_to_python
from chalicelib.domain.argo.expr_syntax import ExpressionError, Unresolved
from chalicelib.domain.argo.expr_values import EvalFailure, format_value, go_sprint
from chalicelib.domain.argo.when_syntax import when_op, when_to_python

__all__ = ["ExpressionError", "Unresolved", "substitute", "substitute_all", "evaluate", "when_true"]

Leave = Optional[Callable[[str], bool]]

# fasttemplate (Argo's) reads a tag from "{{" to the first "}}"; "{{=" starts an expression tag.
_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
_FUNCTION_NAMES = frozenset(FUNCTIONS)
# Python errors the translated source can raise on odd input (wrong argument types to a function, ...).
_RUNTIME_ERRORS = (EvalFailure, InvalidExpression, TypeError, ValueError, AttributeError, KeyError, IndexError,
                   ZeroDivisionError, OverflowError, RecursionError, SyntaxError)


def substitute(text: str, scope: Mapping[str, Any], leave: Leave = None) -> str:
    """Replace every {{name}} and {{= expression}} tag of `text`. A name (or an expression's variable) the scope
    lacks raises Unresolved, unless leave(name) says to keep that tag verbatim for later."""
    if "{{" not in text:  # the common case, kept cheap
        return text
    return _TAG.sub(lambda m: _replace(m, scope, leave), text)


def substitute_all(value: Any, scope: Mapping[str, Any], leave: Leave = None) -> Any:
    """substitute() through dict values and list items (dict keys are left as written)."""
    if isinstance(value, str):
        return substitute(value, scope, leave)
    if isinstance(value, dict):
        return {key: substitute_all(item, scope, leave) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_all(item, scope, leave) for item in value]
    return value


def _replace(match: "re.Match[str]", scope: Mapping[str, Any], leave: Leave) -> str:
    tag = match.group(1)
    if tag.startswith("="):
        try:
            value = evaluate(tag[1:], scope)
        except Unresolved as missing:
            if leave is not None and leave(missing.name):
                return match.group(0)
            raise
        if value is None:
            raise ExpressionError(f"expression '{match.group(0)}' evaluated to nil (an absent output of a skipped "
                                  f"step? use ?? to give a fallback)")
        try:
            return format_value(value)
        except EvalFailure as err:
            raise ExpressionError(f"cannot print the value of '{match.group(0)}': {err}") from None
    name = tag.strip()
    if name in scope:
        value = scope[name]
        if value is None:
            raise ExpressionError(f"unable to substitute {{{{{name}}}}}: output is an absent optional "
                                  f"(skipped/omitted node with no default)")
        return format_value(value)
    if leave is not None and leave(name):
        return match.group(0)
    raise Unresolved(name, f"failed to resolve {{{{{name}}}}}")


def _parsed(source: str) -> Tuple[str, Any]:
    try:
        return source, SimpleEval.parse(source)
    except SyntaxError as err:  # the translation went wrong: say so rather than show Python's complaint
        raise ExpressionError(f"cannot translate it ({err.msg})") from None


@lru_cache(maxsize=2048)
def _compile_expr(expr: str) -> Tuple[str, Any]:
    return _parsed(expr_to_python(expr, _FUNCTION_NAMES))


def evaluate(expr: str, scope: Mapping[str, Any]) -> Any:
    """Evaluate one expr-lang expression (the text of a {{= ...}} tag) against the flat scope."""
    try:
        source, tree = _compile_expr(expr)
    except Unresolved:
        raise
    except ExpressionError as err:
        raise ExpressionError(f"cannot parse expression '{expr.strip()}': {err}") from None
    functions = {**FUNCTIONS, **HELPERS, "_path": bind(scope)}
    evaluator = EvalWithCompoundTypes(operators=OPERATORS, functions=functions, names={})
    try:
        return evaluator.eval(source, previously_parsed=tree)
    except Unresolved as missing:
        raise Unresolved(missing.name, f"failed to evaluate expression '{expr.strip()}': {missing.name} is "
                                       f"missing") from None
    except ExpressionError:
        raise
    except _RUNTIME_ERRORS as err:
        raise ExpressionError(f"failed to evaluate expression '{expr.strip()}': {_reason(err)}") from None


def _reason(err: Exception) -> str:
    text = str(err)
    if isinstance(err, TypeError):  # a Python signature message: say it in the expression's terms
        text = re.sub(r"<lambda>\(\)|\w+\(\)", "function", text)
    return text or type(err).__name__


@lru_cache(maxsize=1024)
def _compile_when(text: str) -> Tuple[str, Any]:
    return _parsed(when_to_python(text))


def when_true(text: str) -> bool:
    """Argo's `when` (placeholders already substituted): true runs the step, false skips it."""
    if not text.strip():
        return True
    try:
        source, tree = _compile_when(text)
    except ExpressionError as err:
        raise ExpressionError(f"Invalid 'when' expression '{text}': {err}") from None
    evaluator = EvalWithCompoundTypes(operators={ast.Not: operator.not_}, functions={"_w": when_op}, names={})
    try:
        result = evaluator.eval(source, previously_parsed=tree)
    except _RUNTIME_ERRORS as err:
        raise ExpressionError(f"Failed to evaluate 'when' expression '{text}': {_reason(err)}") from None
    if not isinstance(result, bool):
        raise ExpressionError(f"Expected boolean evaluation for '{text}'. Got {go_sprint(result)}")
    return result
