"""DAG `depends` / `dependencies`, with the meanings of Argo's docs/enhanced-depends-logic.md and its examples."""
from __future__ import annotations

import pytest

from chalicelib.domain.argo.depends import TaskResult, dependencies_expr, depends_names, depends_true
from chalicelib.domain.argo.expressions import ExpressionError

OK, FAILED, ERROR, SKIPPED, OMITTED = (TaskResult(p) for p in ("Succeeded", "Failed", "Error", "Skipped", "Omitted"))


def test_names_are_the_tasks_without_their_results():
    assert depends_names("A && (B.Failed || task-2.Succeeded) && !C.Errored") == {"A", "B", "task-2", "C"}
    assert depends_names("A.AnySucceeded || A.AllFailed") == {"A"}


def test_dependencies_list_means_all_of_them():
    assert dependencies_expr(["A", "B", "C"]) == "A && B && C"
    results = {"A": OK, "B": SKIPPED, "C": OK}
    assert depends_true(dependencies_expr(["A", "B", "C"]), results) is True
    assert depends_true(dependencies_expr(["A", "B", "C"]), {**results, "C": FAILED}) is False


@pytest.mark.parametrize("phase, expected", [
    (OK, True), (SKIPPED, True), (FAILED, False), (ERROR, False), (OMITTED, False),
])
def test_a_bare_task_means_succeeded_skipped_or_daemoned(phase, expected):
    assert depends_true("task", {"task": phase}) is expected


def test_continue_on_widens_a_bare_task():
    failed = TaskResult("Failed", continue_on={"failed": True})
    errored = TaskResult("Error", continue_on={"error": True})
    assert depends_true("A", {"A": failed}) is True
    assert depends_true("A", {"A": errored}) is True
    assert depends_true("A", {"A": TaskResult("Error", continue_on={"failed": True})}) is False
    assert depends_true("A.Succeeded", {"A": failed}) is False  # an explicit result is taken as written


@pytest.mark.parametrize("result, phase", [
    ("Succeeded", "Succeeded"), ("Failed", "Failed"), ("Errored", "Error"), ("Skipped", "Skipped"),
    ("Omitted", "Omitted"),
])
def test_each_result_matches_its_phase_only(result, phase):
    for other in ("Succeeded", "Failed", "Error", "Skipped", "Omitted"):
        assert depends_true(f"A.{result}", {"A": TaskResult(other)}) is (other == phase)


def test_no_dependencies_is_true_at_once():
    assert dependencies_expr([]) == ""
    assert depends_names("") == set() and depends_true("", {}) is True and depends_true("  ", {}) is True


def test_daemoned_is_never_true_here():
    assert depends_true("A.Daemoned", {"A": OK}) is False


def test_boolean_logic_from_the_docs():
    expr = "(task-2.Succeeded || task-2.Skipped) && !task-3.Failed"
    assert depends_true(expr, {"task-2": OK, "task-3": OK}) is True
    assert depends_true(expr, {"task-2": SKIPPED, "task-3": FAILED}) is False
    assert depends_true(expr, {"task-2": FAILED, "task-3": OK}) is False
    assert depends_true("task || task-2.Failed", {"task": FAILED, "task-2": FAILED}) is True
    assert depends_true("task || task-2.Failed", {"task": FAILED, "task-2": OK}) is False
    assert depends_true("!A.Succeeded && !(B || C)", {"A": FAILED, "B": FAILED, "C": ERROR}) is True


def test_dag_enhanced_depends_example():
    # A succeeds; B passes, C fails; D needs A, B ok and C failed; E only if nothing went wrong
    results = {"A": OK, "B": OK, "C": FAILED}
    assert depends_true("A && (C.Succeeded || C.Failed)", results) is True
    assert depends_true("A && B && C", results) is False
    assert depends_true("B.Succeeded && C.Failed", results) is True


def test_loops_any_succeeded_and_all_failed():
    mixed = TaskResult("Failed", children_phases=["Failed", "Succeeded"])
    all_failed = TaskResult("Failed", children_phases=["Failed", "Failed"])
    assert depends_true("A.AnySucceeded", {"A": mixed}) is True
    assert depends_true("A.AllFailed", {"A": mixed}) is False
    assert depends_true("A.AnySucceeded", {"A": all_failed}) is False
    assert depends_true("A.AllFailed", {"A": all_failed}) is True
    assert depends_true("A.AllFailed", {"A": TaskResult("Succeeded", children_phases=[])}) is False
    assert depends_true("A.AnySucceeded", {"A": OK}) is False  # not a loop: no children


def test_not_decidable_until_every_named_task_has_finished():
    assert depends_true("A || B", {"A": OK}) is None
    assert depends_true("A || B", {"A": OK, "B": TaskResult("Running")}) is None
    assert depends_true("A || B", {"A": OK, "B": TaskResult("Pending")}) is None
    assert depends_true("A || B", {"A": OK, "B": FAILED}) is True


@pytest.mark.parametrize("expr, fragment", [
    ("A.Finished", "task result 'Finished' for task 'A' is invalid"),
    ("A B", "the operators do not fit together"),
    ("A &&", "the operators do not fit together"),
    ("(A", "the operators do not fit together"),
    ("A & B", "unexpected '&'"),
    ("()", "it names no task"),
])
def test_invalid_depends_name_the_expression(expr, fragment):
    with pytest.raises(ExpressionError) as caught:
        depends_names(expr)
    assert fragment in str(caught.value) and f"invalid depends '{expr}'" in str(caught.value)


def test_completed_is_any_end_that_ran():
    for phase, expected in (("Succeeded", True), ("Failed", True), ("Error", True), ("Skipped", False),
                            ("Omitted", False)):
        assert depends_true("A.Completed", {"A": TaskResult(phase)}) is expected, phase
