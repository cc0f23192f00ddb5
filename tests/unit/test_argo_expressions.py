"""Argo template tags ({{name}}, {{= expr}}) and `when` conditions, with the meanings Argo's docs and examples
give them (docs/variables.md, docs/walk-through/conditionals.md, util/template, expr-lang, govaluate)."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.argo.expressions import (ExpressionError, Unresolved, evaluate, substitute, substitute_all,
                                                 when_true)
from chalicelib.domain.argo.pods import WorkflowError

SCOPE = {
    "inputs.parameters.message": "hello world",
    "inputs.parameters.my-int-param": "41",
    "inputs.parameters.my-float-param": "2.5",
    "inputs.parameters.json": '{"some": {"path": "found", "list": [1, 2, 3]}, "items": [{"n": "a"}, {"n": "b"}]}',
    "steps.flip-coin.outputs.result": "heads",
    "tasks.generate.outputs.parameters.count": "3",
    "workflow.parameters.p": "v",
    "workflow.parameters.json": '{"p":"v"}',
    "workflow.name": "wf-1",
    "item": {"name": "jesse", "group": "dev"},
    "item.name": "jesse",
    "item.group": "dev",
    "retries": "2",
    "steps.skipped.outputs.parameters.msg": None,
}


# -- simple tags

def test_simple_tags_are_replaced_and_whitespace_is_trimmed():
    assert substitute("say {{inputs.parameters.message}}!", SCOPE) == "say hello world!"
    assert substitute("{{ inputs.parameters.message }}", SCOPE) == "hello world"
    assert substitute("{{steps.flip-coin.outputs.result}}-{{retries}}", SCOPE) == "heads-2"


def test_text_without_tags_is_returned_as_is():
    text = "echo '{not a tag}' }} {"
    assert substitute(text, SCOPE) is text


def test_unknown_simple_name_raises_unresolved_with_its_name():
    with pytest.raises(Unresolved) as caught:
        substitute("{{inputs.parameters.nope}}", SCOPE)
    assert caught.value.name == "inputs.parameters.nope"
    assert "{{inputs.parameters.nope}}" in str(caught.value)
    assert isinstance(caught.value, ExpressionError) and isinstance(caught.value, WorkflowError)


def test_leave_keeps_unknown_tags_verbatim_for_later():
    later = lambda name: name.startswith("steps.")  # noqa: E731
    text = "{{inputs.parameters.message}} {{ steps.later.outputs.result }} {{=steps.later.outputs.result + 'x'}}"
    assert substitute(text, SCOPE, leave=later) == \
        "hello world {{ steps.later.outputs.result }} {{=steps.later.outputs.result + 'x'}}"
    with pytest.raises(Unresolved):
        substitute("{{tasks.x.outputs.result}}", SCOPE, leave=later)


def test_non_string_scope_values_print_like_go_json():
    scope = {"item": {"b": [1, 2.0], "a": True}, "n": 3, "f": 0.5, "flag": False}
    assert substitute("{{item}} {{n}} {{f}} {{flag}}", scope) == '{"a":true,"b":[1,2]} 3 0.5 false'


def test_absent_output_in_a_simple_tag_is_an_error():
    with pytest.raises(ExpressionError, match="absent optional"):
        substitute("{{steps.skipped.outputs.parameters.msg}}", SCOPE)


def test_substitute_all_walks_dicts_and_lists_but_not_keys():
    value = {"args": ["{{workflow.name}}", {"{{retries}}": "{{=asInt(retries) + 1}}"}], "n": 3, "none": None}
    assert substitute_all(value, SCOPE) == {"args": ["wf-1", {"{{retries}}": "3"}], "n": 3, "none": None}


# -- expression tags: docs/variables.md examples

@pytest.mark.parametrize("expr, expected", [
    ("[1, 2]", "[1,2]"),
    ("filter([1, 2], { # > 1})", "[2]"),
    ("map([1, 2], { # * 2 })", "[2,4]"),
    ("asInt(inputs.parameters['my-int-param'])", "41"),
    ("asFloat(inputs.parameters['my-float-param'])", "2.5"),
    ("string(1)", "1"),
    ("toJson([1, 2])", "[1,2]"),
    ("jsonpath(inputs.parameters.json, '$.some.path')", "found"),
    ("sprig.trim('  padded  ')", "padded"),
    ("workflow.name", "wf-1"),
])
def test_expression_examples_from_argo_docs(expr, expected):
    assert substitute("{{=" + expr + "}}", SCOPE) == expected


@pytest.mark.parametrize("expr, expected", [
    ("1 + 1", 2), ("4 / 2", 2.0), ("7 % 3", 1), ("-7 % 3", -1), ("2 ** 3", 8.0), ("2 ^ 3", 8.0),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 2 - 3", 5), ("2 ** 3 ** 2", 512.0),
    ("'a' + 'b'", "ab"), ("\"it's\"", "it's"), ("'tab\\there'", "tab\there"), ("`raw\\n`", "raw\\n"),
    ("1 == 1.0", True), ("'1' == 1", False), ("true != false", True), ("1 < 2 < 3", True), ("3 > 2 > 2", False),
    ("'a' < 'b'", True), ("nil == nil", True),
    ("true && false", False), ("true and true", True), ("false || true", True), ("false or false", False),
    ("!true", False), ("not false", True), ("!(1 > 2) && 2 > 1", True),
    ("2 in [1, 2]", True), ("'k' in {k: 1}", True), ("3 not in [1, 2]", True),
    ("'foobar' contains 'oba'", True), ("'foobar' startsWith 'foo'", True), ("'foobar' endsWith 'bar'", True),
    ("'foobar' matches '^fo+'", True), ("'foobar' not matches 'z'", True),
    ("true ? 'yes' : 'no'", "yes"), ("false ? 'a' : true ? 'b' : 'c'", "b"), ("1 > 2 ? 1 : 2 > 1 ? 3 : 4", 3),
    ("nil ?? 'fallback'", "fallback"), ("'' ?? 'fallback'", ""),
    ("[1, 2, 3][0]", 1), ("[1, 2, 3][-1]", 3), ("[1, 2, 3][1:]", [2, 3]), ("[1, 2, 3][:2]", [1, 2]),
    ("{a: {b: 'deep'}}.a.b", "deep"), ("{'x-y': 1}['x-y']", 1), ("{a: 1}.missing", None), ("{a: 1}?.a", 1),
    ("1..3", [1, 2, 3]), ("0x10 + 0b11 + 0o7 + 1_000", 1026), (".5 + 1e1", 10.5),
    ("1 + /* comment */ 1 // rest", 2),
])
def test_expr_operators(expr, expected):
    result = evaluate(expr, {})
    assert result == expected and type(result) is type(expected)


def test_scope_names_become_nested_maps():
    assert evaluate("steps['flip-coin'].outputs.result == 'heads'", SCOPE) is True
    assert evaluate("inputs.parameters.message", SCOPE) == "hello world"
    assert evaluate("workflow.parameters.p", SCOPE) == "v"
    assert evaluate("tasks.generate.outputs.parameters.count", SCOPE) == "3"
    assert evaluate("item.name + '@' + item.group", SCOPE) == "jesse@dev"
    # the more specific keys win over their parent's JSON text, as in Argo's expand
    assert evaluate("workflow.parameters", SCOPE) == {"p": "v", "json": '{"p":"v"}'}
    assert evaluate("len(inputs.parameters)", SCOPE) == 4


def test_scope_leaves_are_strings_as_in_argo():
    assert evaluate("retries", SCOPE) == "2"
    assert evaluate("asInt(retries) + 1", SCOPE) == 3
    with pytest.raises(ExpressionError, match=r"string \+ int"):
        evaluate("retries + 1", SCOPE)
    assert evaluate("x", {"x": [1, "a"]}) == '[1,"a"]'  # a list item reads as its JSON, as Argo's scope holds it


def test_missing_variable_in_an_expression_is_unresolved_with_its_full_name():
    with pytest.raises(Unresolved) as caught:
        evaluate("steps['flip-coin'].outputs.parameters.nope == 'x'", SCOPE)
    assert caught.value.name == "steps.flip-coin.outputs.parameters.nope"
    assert "steps['flip-coin'].outputs.parameters.nope == 'x'" in str(caught.value)
    with pytest.raises(Unresolved) as caught:
        substitute("{{= nothing + 1 }}", SCOPE)
    assert caught.value.name == "nothing"
    with pytest.raises(Unresolved) as caught:
        evaluate("tasks['no-such'].outputs.result", SCOPE)
    assert caught.value.name == "tasks.no-such.outputs.result"
    with pytest.raises(Unresolved) as caught:  # a computed member: the name up to the missing part
        evaluate("inputs.parameters[sprig.lower('NOPE')]", SCOPE)
    assert caught.value.name == "inputs.parameters.nope"


def test_coalesce_gives_a_fallback_for_absent_and_missing_values():
    assert substitute("{{= steps.skipped.outputs.parameters.msg ?? 'fallback'}}", SCOPE) == "fallback"
    assert substitute("{{= steps.never.outputs.result ?? 'none'}}", SCOPE) == "none"
    assert substitute("{{= inputs.parameters.message ?? 'x'}}", SCOPE) == "hello world"
    # comparing an absent value to '' is false: nil is not ''
    assert evaluate("steps.skipped.outputs.parameters.msg == ''", SCOPE) is False


def test_a_nil_result_or_an_operation_on_nil_fails():
    with pytest.raises(ExpressionError, match="evaluated to nil"):
        substitute("{{= steps.skipped.outputs.parameters.msg}}", SCOPE)
    with pytest.raises(ExpressionError, match="nil"):
        evaluate("steps.skipped.outputs.parameters.msg + '-suffix'", SCOPE)


@pytest.mark.parametrize("expr, printed", [
    ("4 / 2", "2"), ("1 / 4", "0.25"), ("1e21", "1e+21"), ("0.0000001", "1e-7"), ("100000000.0", "100000000"),
    ("true", "true"), ("{b: 1, a: [nil, 'x']}", '{"a":[null,"x"],"b":1}'), ("['<&>']", '["\\u003c\\u0026\\u003e"]'),
    ("'<&>'", "<&>"), ("'multi\\nline'", "multi\nline"), ("[]", "[]"),
])
def test_results_print_like_argo(expr, printed):
    assert substitute("{{=" + expr + " }}", {}) == printed  # the space: a tag ends at the first }}


@pytest.mark.parametrize("expr, expected", [
    ("asInt('12')", 12), ("asFloat('1.5e1')", 15.0), ("int(2.9)", 2), ("float(2)", 2.0), ("string(2.0)", "2"),
    ("string(1000000.0)", "1e+06"), ("string([1, 'a'])", "[1 a]"), ("string({a: 1})", "map[a:1]"),
    ("string(true)", "true"), ("len('héllo')", 5), ("len([1, 2])", 2), ("len({a: 1})", 1),
    ("toJSON({a: 1})", '{\n  "a": 1\n}'), ("fromJSON('{\"a\": [1]}').a[0]", 1.0),
    ("jsonpath(inputs.parameters.json, '$.some.list[1]')", 2.0),
    ("jsonpath(inputs.parameters.json, '$.items[*].n')", ["a", "b"]),
    ("upper('a')", "A"), ("lower('A')", "a"), ("trim('  a ')", "a"), ("trim('xax', 'x')", "a"),
    ("split('a,b,c', ',')", ["a", "b", "c"]), ("replace('aaa', 'a', 'b')", "bbb"), ("join(['a', 'b'], '-')", "a-b"),
    ("hasPrefix('abc', 'ab')", True), ("indexOf('abc', 'c')", 2), ("repeat('ab', 2)", "abab"),
    ("max(1, 5, 3)", 5), ("min([4, 2])", 2), ("abs(-2)", 2), ("ceil(1.2)", 2.0), ("floor(1.8)", 1.0),
    ("round(2.5)", 3.0), ("first([1, 2])", 1), ("last([1, 2])", 2), ("keys({b: 1, a: 2})", ["a", "b"]),
    ("reverse([1, 2])", [2, 1]), ("sort([3, 1, 2])", [1, 2, 3]), ("concat([1], [2])", [1, 2]),
    ("toBase64('hi')", "aGk="), ("fromBase64('aGk=')", "hi"),
    ("all([1, 2], # > 0)", True), ("any([1, 2], # > 1)", True), ("none([1, 2], # > 2)", True),
    ("one([1, 2], # > 1)", True), ("count([1, 2, 3], # > 1)", 2), ("find([1, 2, 3], # > 1)", 2),
    ("findIndex([1, 2, 3], # > 1)", 1), ("sum([1, 2, 3])", 6), ("sum([1, 2], # * 2)", 6),
    ("count([true, false, true])", 2), ("findLast([1, 2, 3], # < 3)", 2), ("findLastIndex([1, 2, 1], # == 1)", 2),
    ("map([{n: 'a'}, {n: 'b'}], .n)", ["a", "b"]), ("filter([{n: 1}, {n: 2}], {.n > 1})", [{"n": 2}]),
    ("map([[1, 2], [3]], len(#))", [2, 1]),
])
def test_functions(expr, expected):
    result = evaluate(expr, SCOPE)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("expr, expected", [
    ("sprig.upper('a')", "A"), ("sprig.lower('A')", "a"), ("sprig.title('hello world')", "Hello World"),
    ("sprig.trimAll('-', '--x--')", "x"), ("sprig.trimPrefix('v', 'v1')", "1"),
    ("sprig.trimSuffix('.py', 'a.py')", "a"),
    ("sprig.replace('a', 'b', 'banana')", "bbnbnb"), ("sprig.contains('an', 'banana')", True),
    ("sprig.hasPrefix('ba', 'banana')", True), ("sprig.hasSuffix('na', 'banana')", True),
    ("sprig.splitList(',', 'a,b')", ["a", "b"]), ("sprig.split(',', 'a,b')", {"_0": "a", "_1": "b"}),
    ("sprig.join('-', ['a', 1])", "a-1"), ("sprig.toString(1.5)", "1.5"), ("sprig.atoi('42')", 42),
    ("sprig.atoi('x')", 0), ("sprig.int('7')", 7), ("sprig.int('nope')", 0), ("sprig.float64('1.5')", 1.5),
    ("sprig.add(1, 2, '3')", 6), ("sprig.add1(1)", 2), ("sprig.sub(5, 2)", 3), ("sprig.mul(2, 3, 4)", 24),
    ("sprig.div(7, 2)", 3), ("sprig.div(-7, 2)", -3), ("sprig.mod(7, 3)", 1), ("sprig.max(1, 9, 3)", 9),
    ("sprig.min(4, 2)", 2), ("sprig.addf(1.5, 1)", 2.5), ("sprig.round(3.14159, 2)", 3.14),
    ("sprig.default('d', '')", "d"), ("sprig.default('d', 'v')", "v"), ("sprig.empty('')", True),
    ("sprig.empty([1])", False), ("sprig.ternary('a', 'b', true)", "a"), ("sprig.ternary('a', 'b', false)", "b"),
    ("sprig.quote('x')", '"x"'), ("sprig.squote('x')", "'x'"), ("sprig.list(1, 2)", [1, 2]),
    ("sprig.dict('a', 1)", {"a": 1}), ("sprig.toJson({a: [1]})", '{"a":[1]}'),
    ("sprig.fromJson('{\"a\": 1}').a", 1.0), ("sprig.regexMatch('^[a-z]+$', 'abc')", True),
    ("sprig.regexFind('[0-9]+', 'ab12cd34')", "12"), ("sprig.regexFindAll('[0-9]', 'a1b2', -1)", ["1", "2"]),
    ("sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W')", "-W-xxW-"),
    ("sprig.b64enc('hi')", "aGk="), ("sprig.b64dec('aGk=')", "hi"), ("sprig.nospace('a b\\tc')", "abc"),
    ("sprig.repeat(3, 'ab')", "ababab"), ("sprig.substr(1, 3, 'hello')", "el"), ("sprig.trunc(2, 'hello')", "he"),
    ("sprig.until(3)", [0, 1, 2]), ("sprig.first([1, 2])", 1), ("sprig.has(2, [1, 2])", True),
    ("sprig.cat('a', 1, nil, 'b')", "a 1 b"), ("sprig.indent(2, 'a\\nb')", "  a\n  b"),
    ("sprig.sha256sum('')", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
])
def test_sprig_functions_keep_sprigs_argument_order(expr, expected):
    result = evaluate(expr, SCOPE)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("expr, fragment", [
    ("1 +", "end of expression"),
    ("(1 + 2", "expected ')'"),
    ("nosuch(1)", "unknown function nosuch()"),
    ("sprig.nosuch(1)", "unknown function sprig.nosuch()"),
    ("[1, 2] | map(# * 2)", "pipe"),
    ("let x = 1; x", "'let' is not supported"),
    ("# > 1", "'#' is not supported"),
    ("'a'.upper()", "method calls"),
    ("1 ?? 2 + 3", "cannot be mixed"),
    ("'a' @ 'b'", "unrecognized character '@'"),
])
def test_syntax_errors_name_the_expression_and_why(expr, fragment):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expr, SCOPE)
    assert fragment in str(caught.value)
    assert expr.strip() in str(caught.value)


@pytest.mark.parametrize("expr, fragment", [
    ("'a' + 1", "invalid operation: string + int"),
    ("1 && true", "&& needs a bool"),
    ("!'x'", "! needs a bool"),
    ("'a' ? 1 : 2", "?: needs a bool"),
    ("'a' < 1", "invalid operation: string < int"),
    ("asInt('1.5')", "int(1.5)"),
    ("asFloat('abc')", "float(abc)"),
    ("[1][5]", "index out of range: 5 (array length is 1)"),
    ("1 / 0", "division by zero"),
    ("1.5 % 2", "needs integers"),
    ("jsonpath('not json', '$.a')", "invalid JSON"),
    ("jsonpath('{}', '$.a')", "matched nothing"),
    ("'a' matches '('", "invalid regular expression"),
    ("len(1)", "invalid argument for len"),
    ("upper(1)", "upper(int): wrong number or type of arguments"),
    ("sprig.trim('a', 'b')", "sprig.trim(string, string): wrong number or type of arguments"),
])
def test_runtime_errors_name_the_expression_and_why(expr, fragment):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expr, SCOPE)
    message = str(caught.value)
    assert fragment in message and f"failed to evaluate expression '{expr}'" in message


def test_expression_tag_errors_name_the_tag():
    with pytest.raises(ExpressionError, match=r"expression '1 \+'"):
        substitute("x {{=1 +}} y", {})


def test_evaluation_never_reaches_python_builtins():
    for expr in ("__import__('os')", "open('/etc/passwd')", "().__class__", "eval('1')", "_path(0, 'x')",
                 "_get(x, 'y', 0)", "x.__class__"):
        with pytest.raises(ExpressionError):
            evaluate(expr, {"x": "1"})


def test_items_from_with_param_json_read_like_argo():
    scope = {"item": json.dumps({"a": 1}), "item.a": "1"}
    assert substitute("{{= asInt(item.a) * 10 }}", scope) == "10"


# -- when (govaluate)

@pytest.mark.parametrize("when, expected", [
    ("heads == heads", True), ("heads == tails", False), ("tails != heads", True),
    ("( heads == heads && tails == tails ) || ( tails == tails && tails == tails )", True),
    ("(heads == tails && tails == tails) || (tails == heads && tails == tails)", False),
    ("heads =~ hea", True), ("tails =~ hea", False), ("heads !~ '^t'", True),
    ("5 > 3", True), ("10 < 9", False), ("5 >= 5.0", True), ("2 <= 1", False), ("'10' == 10", False),
    ("\"hello world\" == 'hello world'", True), ("true", True), ("false", False), ("!false", True),
    ("!(a == b)", True), ("true && true", True), ("true || false", True), ("-1 < 0", True),
    ("2 in (1, 2, 3)", True), ("x in (a, b)", False), ("1 + 1 == 2", True), ("a + b == ab", True),
    ("3 * 2 - 1 == 5", True), ("7 % 4 == 3", True), ("2 ** 3 == 8", True), ("abc < abd", True),
    ("", True), ("   ", True), ("[my var] == 'my var'", True), ("Succeeded == Succeeded", True),
    ("true ? true : false", True),
])
def test_when_follows_govaluate_as_argo_uses_it(when, expected):
    assert when_true(when) is expected


@pytest.mark.parametrize("when, fragment", [
    ("hello world == hello world", "Invalid 'when' expression 'hello world == hello world'"),
    ("a == ", "Invalid 'when' expression"),
    ("(a == a", "Invalid 'when' expression"),
    ("a == a;", "hint: try wrapping the affected expression in quotes"),
    ("1.2.3 == 1", "Unable to parse numeric value '1.2.3'"),
    ("5 > abc", "Failed to evaluate 'when' expression '5 > abc'"),
    ("heads && true", "cannot be used with the logical operator '&&', it is not a bool"),
    ("!heads", "it is not a bool"),
    ("a - b == c", "cannot be used with the modifier '-'"),
    ("heads", "Expected boolean evaluation for 'heads'. Got heads"),
    ("1 + 1", "Expected boolean evaluation for '1 + 1'. Got 2"),
])
def test_when_errors_read_like_argos(when, fragment):
    with pytest.raises(ExpressionError) as caught:
        when_true(when)
    assert fragment in str(caught.value)


def test_when_after_substitution_as_the_coinflip_example():
    scope = {"steps.flip-coin.outputs.result": "tails"}
    when = "{{steps.flip-coin.outputs.result}} == heads"
    assert when_true(substitute(when, scope)) is False
    assert when_true(substitute("{{=steps['flip-coin'].outputs.result == 'tails'}}", scope)) is True


def test_a_multi_line_expression_reusing_a_value_through_map():
    # the docs' idiom for "variables": map over a one-element list and use # (here with our own numbers)
    scope = {"workflow.parameters.weather": '{"week": "eyJ0ZW1wcyI6IFsxMCwgMjAsIDMwLCA0MCwgNTVdfQ=="}'}
    text = """{{=
      map([jsonpath(sprig.b64dec(jsonpath(workflow.parameters.weather, '$.week')), '$.temps')], {
        toJson({
          avg: sprig.add(#[0], #[1], #[2], #[3], #[4]) / 5,
          low: sprig.min(#[0], #[1], #[2], #[3], #[4]),
          high: sprig.max(#[0], #[1], #[2], #[3], #[4])
        })
      })[0]
    }}"""
    summary = substitute(text, scope)
    assert summary == '{"avg":31,"high":55,"low":10}'
    assert substitute("{{=jsonpath(inputs.parameters['t'], '$.avg')}}", {"inputs.parameters.t": summary}) == "31"


def test_an_unclosed_tag_is_left_as_text():
    assert substitute("echo {{inputs.parameters.message", SCOPE) == "echo {{inputs.parameters.message"


def test_when_with_a_tag_left_unresolved_is_invalid():
    with pytest.raises(ExpressionError, match="Invalid 'when' expression '{{steps.a.outputs.result}} == x'"):
        when_true("{{steps.a.outputs.result}} == x")


def test_repeated_evaluation_uses_the_cache_and_each_scope():
    for n in range(3):
        assert evaluate("asInt(inputs.parameters.n) * 2", {"inputs.parameters.n": str(n)}) == n * 2
