"""`steps` and `dag` templates, and one step or task of them: loops, `when`, arguments, continueOn, failFast,
template-level `parallelism` and step-level exit handlers. Called by interpreter.WorkflowRun.invoke."""
from __future__ import annotations

import contextlib
from dataclasses import replace
import threading
from typing import Any, Callable, Dict, List, Optional

from . import loops
from .dag import dag_outcome, handled_failures, task_expressions
from .depends import TaskResult, depends_names, depends_true
from .expressions import substitute, substitute_all, when_true
from .nodes import Node, aggregate, loop_phase, scope_of
from .pods import ERROR, OMITTED, SKIPPED, SUCCEEDED, Cancelled, WorkflowError
from .values import text as _text


def _limit(template: Dict[str, Any]):
    """Template-level `parallelism`: at most that many children of this template at once."""
    value = template.get("parallelism")
    return threading.BoundedSemaphore(int(value)) if value not in (None, "", 0) else contextlib.nullcontext()


def _fail(node: Node, child: Node) -> None:
    node.phase, node.message, node.cause = child.phase, child.message, child.cause or child


def _record(frame, prefix: str, child: Node) -> None:
    """A finished step's names (`steps.x.outputs...`) and artifacts, for the steps after it."""
    frame.scope.update(scope_of(prefix, child))
    for key, artifact in child.artifacts.items():
        frame.artifacts[f"{prefix}.{key}"] = artifact


def _copy(frame):
    return type(frame)(dict(frame.scope), dict(frame.artifacts), frame.depth, frame.deadline)


def _parallel(jobs: List[Callable[[], Any]]) -> List[Any]:
    """Run jobs on their own threads; a stop (Cancelled) in any of them is raised once all have ended."""
    if len(jobs) == 1:
        return [jobs[0]()]
    results: List[Any] = [None] * len(jobs)
    errors: List[BaseException] = []

    def wrap(index: int, job) -> None:
        try:
            results[index] = job()
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            errors.append(err)

    threads = [threading.Thread(target=wrap, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise next((e for e in errors if isinstance(e, Cancelled)), errors[0])
    return results


# -- steps -------------------------------------------------------------------------------------------------
def run_steps(run, template: Dict[str, Any], node: Node, frame) -> None:
    limit, fail_fast = _limit(template), template.get("failFast") is True
    local = _copy(frame)
    for group in template.get("steps") or []:
        steps = [s for s in (group or []) if isinstance(s, dict)]
        snapshot = _copy(local)
        children = _parallel([lambda s=s: run_step(run, s, f"{node.name}.{s.get('name')}", snapshot, limit,
                                                   fail_fast) for s in steps])
        for step, child in zip(steps, children):
            _record(local, f"steps.{step.get('name')}", child)
        blocking = [c for c in children if c.blocking]
        if blocking:
            _fail(node, blocking[0])
            return
    _finish(run, template, node, local)


def _finish(run, template, node: Node, local) -> None:
    node.phase = SUCCEEDED
    try:
        run.publish_outputs(template, node, run.scope(local), local)
    except WorkflowError as err:
        node.phase, node.message, node.cause = ERROR, str(err), None


# -- dag ---------------------------------------------------------------------------------------------------
def _needed(targets: List[str], exprs: Dict[str, str], where: str) -> set:
    """The targets and every task they depend on, directly or not."""
    unknown = [t for t in targets if t not in exprs]
    if unknown:
        raise WorkflowError(f"{where}: dag.target names no task {', '.join(unknown)}.")
    keep, todo = set(), list(targets)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo.extend(depends_names(exprs[name]) if exprs[name] else [])
    return keep


def run_dag(run, template: Dict[str, Any], node: Node, frame) -> None:
    dag = template.get("dag") or {}
    tasks = {t.get("name"): t for t in dag.get("tasks") or [] if isinstance(t, dict)}
    exprs = task_expressions(list(tasks.values()), f"'{node.name}'")
    if dag.get("target") not in (None, ""):  # only the targets and what they depend on run, as Argo's dag.target
        keep = _needed(substitute(_text(dag["target"]), run.scope(frame)).split(), exprs, f"'{node.name}'")
        tasks, exprs = {n: t for n, t in tasks.items() if n in keep}, {n: e for n, e in exprs.items() if n in keep}
    fail_fast = dag.get("failFast") is not False
    handled = handled_failures(exprs) | {n for n, t in tasks.items() if t.get("continueOn")}
    limit, local = _limit(template), _copy(frame)
    done: Dict[str, Node] = {}
    results: Dict[str, TaskResult] = {}
    pending, running, errors = list(tasks), set(), []
    cond = threading.Condition()
    halted = [False]

    def settle(name: str, child: Node) -> None:  # under cond
        done[name] = child
        results[name] = TaskResult(child.phase, [c.phase for c in child.children] if child.is_loop else None,
                                   continue_on=child.continue_on or None)
        _record(local, f"tasks.{name}", child)
        if child.blocking and fail_fast and name not in handled:
            halted[0] = True

    def work(name: str, snapshot) -> None:
        child: Optional[Node] = None
        try:
            child = run_step(run, tasks[name], f"{node.name}.{name}", snapshot, limit, fail_fast)
        except BaseException as err:  # noqa: BLE001 - the DAG's thread raises it once the others ended
            errors.append(err)
        with cond:
            running.discard(name)
            if child is not None:
                settle(name, child)
            cond.notify_all()

    def schedule() -> bool:  # under cond; True when something changed
        changed = False
        for name in list(pending):
            verdict = depends_true(exprs[name], results) if exprs[name] else True
            if verdict is None:
                continue
            if verdict is False:
                pending.remove(name)
                omitted = Node(f"{node.name}.{name}", display=str(name),
                               template=str(tasks[name].get("template") or ""),
                               phase=OMITTED, message=f"omitted: depends condition not met ({exprs[name]})",
                               parameters=skipped_outputs(run, tasks[name]))
                settle(name, omitted)
                run.on_node(omitted.name, {"status": OMITTED, "message": omitted.message, "finished": True})
                changed = True
            elif not (halted[0] or errors or run.cancelled.is_set()):
                pending.remove(name)
                running.add(name)
                threading.Thread(target=work, args=(name, _copy(local)), daemon=True).start()
                changed = True
        return changed

    with cond:
        while True:
            if schedule():
                continue
            if not running:
                break
            cond.wait()
    if errors:
        raise next((e for e in errors if isinstance(e, Cancelled)), errors[0])
    run.check_cancelled()
    culprit = dag_outcome(exprs, done)
    if culprit is not None:
        _fail(node, culprit)
        return
    _finish(run, template, node, local)


# -- one step or task ------------------------------------------------------------------------------------
def run_step(run, step: Dict[str, Any], path: str, frame, limit, fail_fast: bool) -> Node:
    node = Node(path, display=str(step.get("name")), template=str(step.get("template") or ""),
                continue_on=step.get("continueOn") or {})
    scope = run.scope(frame)
    try:
        fields = {k: step[k] for k in ("withItems", "withParam", "withSequence") if k in step}
        items = loops.expand(substitute_all(fields, scope), f"Step '{path}'") if fields else None
    except WorkflowError as err:
        return _errored(run, node, err)
    if items is None:
        with limit:
            _single(run, step, node, frame, scope)
    else:
        _loop(run, step, node, frame, scope, items, limit, fail_fast)
    hook = (step.get("hooks") or {}).get("exit") if isinstance(step.get("hooks"), dict) else None
    if step.get("onExit"):
        _step_exit(run, str(step["onExit"]), node, frame)
    elif isinstance(hook, dict) and hook.get("template"):
        _step_exit(run, str(hook["template"]), node, frame, hook.get("arguments") or {}, str(step.get("name")))
    return node


def _loop(run, step, node: Node, frame, scope, items: List[Any], limit, fail_fast: bool) -> None:
    node.is_loop = True
    stop = threading.Event()
    children = [Node(f"{node.name}({i}:{loops.label(item)})", display=f"{node.display}({i}:{loops.label(item)})",
                     template=node.template, index=i,
                     continue_on=node.continue_on) for i, item in enumerate(items)]

    def one(child: Node, item: Any) -> None:
        with limit:
            if stop.is_set():
                return
            _single(run, step, child, frame, {**scope, **loops.item_scope(item)})
        if child.blocking and fail_fast:
            stop.set()

    if children:
        _parallel([lambda c=c, i=i: one(c, i) for c, i in zip(children, items)])
    node.children = [c for c in children if c.phase]
    node.phase = loop_phase(node.children)
    aggregate(node)
    blocking = [c for c in node.children if c.blocking]
    if blocking:
        node.message, node.cause = blocking[0].message, blocking[0].cause or blocking[0]
        if len(node.children) < len(children):  # Argo's words when failFast kept the other items from starting
            node.cause = replace(node.cause, message=f"{node.cause.message}; template has failed or errored "
                                                     "children and failFast enabled")


def _single(run, step, node: Node, frame, scope: Dict[str, Any]) -> None:
    try:
        when = step.get("when")
        if when not in (None, ""):
            text = substitute(str(when), scope)
            if not when_true(text):
                node.phase, node.message = SKIPPED, f"when '{text}' evaluated false"
                node.parameters = skipped_outputs(run, step)
                run.on_node(node.name, {"status": SKIPPED, "message": node.message, "finished": True})
                return
        params, artifacts = _arguments(run, step.get("arguments") or {}, frame, scope, node.name)
        template = _template_of(run, step, node.name)
    except WorkflowError as err:
        _errored(run, node, err)
        return
    run.invoke(template, params, artifacts, node, frame)


def _arguments(run, arguments: Dict[str, Any], frame, scope: Dict[str, Any], where: str):
    """A step's (or exit hook's) arguments: parameter values resolved, artifacts found."""
    params = {p.get("name"): substitute(_text(p.get("value", "")), scope)
              for p in arguments.get("parameters") or []
              if isinstance(p, dict) and not _absent(_text(p.get("value", "")), scope)}
    artifacts = {}
    for a in arguments.get("artifacts") or []:
        found = run.artifact_from(a, frame, scope, where)
        if found is None:
            raise WorkflowError(f"Step '{where}': artifact argument '{a.get('name')}' needs from, "
                                "fromExpression, raw or s3.key.")
        artifacts[a.get("name")] = found
    return params, artifacts


def skipped_outputs(run, step: Dict[str, Any]) -> Dict[str, Any]:
    """A step that never ran still answers for its declared output parameters: the `default` where one is
    declared, else None (absent: an argument that is only that reference is dropped, so the callee's own
    default applies; an expression sees nil), as Argo does for skipped and omitted nodes."""
    try:
        template = _template_of(run, step, str(step.get("name")))
    except WorkflowError:
        return {}
    values: Dict[str, Any] = {}
    for p in (template.get("outputs") or {}).get("parameters") or []:
        fallback = (p.get("valueFrom") or {}).get("default", p.get("default"))
        values[str(p.get("name"))] = _text(fallback) if fallback is not None else None
    return values


def _absent(value: str, scope: Dict[str, Any]) -> bool:
    """The argument is exactly one reference to an output a skipped step never produced."""
    text = value.strip()
    if not (text.startswith("{{") and text.endswith("}}")) or text.count("{{") != 1:
        return False
    name = text[2:-2].strip()
    return name in scope and scope[name] is None


def _template_of(run, step: Dict[str, Any], where: str) -> Dict[str, Any]:
    inline = step.get("inline")
    if isinstance(inline, dict):
        return {"name": str(step.get("name")), **inline}
    return run.template(step.get("template"), where)


def _step_exit(run, name: str, node: Node, frame, arguments: Optional[Dict[str, Any]] = None,
               own: str = "") -> None:
    """A step's exit handler (`onExit`, or `hooks.exit` with arguments that may read the step's own outputs)."""
    handler = Node(f"{node.name}.onExit", display=f"{node.display}.onExit", template=name)
    try:
        template = run.template(name, node.name)
        params, artifacts = {}, {}
        if arguments:
            local = _copy(frame)
            for prefix in (f"steps.{own}", f"tasks.{own}"):  # the step's own outputs, in a steps or a dag template
                _record(local, prefix, node)
            params, artifacts = _arguments(run, arguments, local, run.scope(local), handler.name)
    except WorkflowError as err:
        _errored(run, handler, err)
    else:
        run.invoke(template, params, artifacts, handler, frame)
    if handler.blocking and not node.blocking:
        _fail(node, handler)


def _errored(run, node: Node, err: WorkflowError) -> Node:
    node.phase, node.message = ERROR, str(err)
    run.record_failure(node)
    run.on_node(node.name, {"status": ERROR, "message": node.message, "finished": True})
    return node

