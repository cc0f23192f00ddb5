"""Executions and Compare: start the example's training from the app, watch its detail (steps, logs, status,
metric charts), compare two runs with different `alpha`, stop and delete a run; each action's outcome shown."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from .conftest import open_page, shoot, sign_in

TRAIN = "text-classifier-train"


def _configuration(example, name: str, alpha: str) -> str:
    return example["call"]("POST", "/lm/configurations", json={
        "name": name, "scenarioId": "text-classifier", "executableId": TRAIN,
        "parameterBindings": [{"key": "alpha", "value": alpha}, {"key": "min_accuracy", "value": "0.5"}],
        "inputArtifactBindings": [{"key": "reviews", "artifactId": example["dataset"]}]})["id"]


def _to_the_list(page) -> None:
    """From a detail its own "Back to executions" (the navigation item of the page already open does nothing)."""
    if "#/executions/" in page.url:
        page.get_by_role("button", name="Back to executions").click()
        page.wait_for_url(re.compile(r"#/executions$"))
    else:
        open_page(page, "Executions")


def _start_from_the_app(page, configuration_name: str) -> str:
    """The Executions page's "Start execution" dialog; returns the new execution's id (the detail it opens)."""
    _to_the_list(page)
    page.get_by_role("button", name="Start execution").click()
    page.get_by_role("combobox", name="Configuration").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(configuration_name) + r" \(")).click()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("started")
    page.wait_for_url(re.compile(r"#/executions/[\w.-]+$"))
    return page.url.rsplit("/", 1)[1]


def _status(page):
    return page.get_by_test_id("execution-status")


def test_train_from_the_app_watch_logs_and_metrics_then_compare_two_alphas(page, web_stack, example, request):
    tag = uuid.uuid4().hex[:6]
    low, high = f"alpha-low-{tag}", f"alpha-high-{tag}"
    _configuration(example, low, "0.5")
    _configuration(example, high, "2.0")
    sign_in(page, web_stack.exports)

    first = _start_from_the_app(page, low)
    expect(page.get_by_role("heading", name=f"Execution {first}")).to_be_visible()
    # The logs follow the run: the training step's own lines appear (read with `start` = the last line seen).
    logs = page.get_by_label("Execution logs")
    expect(logs).to_contain_text("train: 120 rows", timeout=60_000)
    expect(_status(page)).to_contain_text("COMPLETED", timeout=60_000)
    expect(logs).to_contain_text("evaluate: accuracy")
    assert logs.inner_text().count("train: 120 rows") == 1  # read on from the last line seen: nothing twice
    expect(page.get_by_label("Step states")).to_contain_text("pipeline.evaluate: Succeeded")
    for metric in ("accuracy", "train_rows", "vocabulary", "test_rows"):
        chart = page.locator(f'[data-chart="Metric {metric}"]')
        expect(chart).to_be_visible()
        expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_role("gridcell", name="textmodel", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 1440, "height": 1500})  # the page scrolls inside its layout: all in one picture
    shoot(page, request.node.name, "execution-metrics")
    page.set_viewport_size({"width": 1440, "height": 900})

    second = _start_from_the_app(page, high)
    expect(_status(page)).to_contain_text("COMPLETED", timeout=60_000)

    # The list: both runs, newest first; select both and compare.
    _to_the_list(page)
    for run in (first, second):
        expect(page.get_by_role("row").filter(has_text=run)).to_have_count(1)
    shoot(page, request.node.name, "executions-list")
    for run in (first, second):
        page.get_by_role("row").filter(has_text=run).get_by_role("checkbox").click()
    page.get_by_role("button", name="Compare (2)").click()
    page.get_by_role("main", name="Compare").wait_for()
    assert sorted(page.url.split("ids=")[1].replace("%2C", ",").split(",")) == sorted([first, second])

    alpha = page.locator('[data-differs="true"]').filter(has_text="alpha")
    expect(alpha).to_have_count(1)
    expect(alpha).to_contain_text("differs")
    expect(alpha).to_contain_text("0.5")
    expect(alpha).to_contain_text("2.0")
    expect(page.locator('[data-differs="false"]').filter(has_text="min_accuracy")).to_have_count(1)
    expect(page.get_by_role("grid", name="Final metrics")).to_be_visible()
    expect(page.locator("[data-differs]").filter(has_text=re.compile(r"^accuracy"))).to_have_count(1)
    overlaid = page.locator('[data-chart="Metric accuracy"]')
    expect(overlaid.locator("canvas")).to_have_count(1)
    page.set_viewport_size({"width": 1440, "height": 1500})
    shoot(page, request.node.name, "comparison")


def test_compare_picks_executions_on_its_own_page(page, web_stack, example, request):
    tag = uuid.uuid4().hex[:6]
    ids = []
    for alpha in ("0.3", "3.0"):
        configuration = _configuration(example, f"pick-{alpha}-{tag}", alpha)
        ids.append(example["call"]("POST", "/lm/executions", json={"configurationId": configuration})["id"])
    sign_in(page, web_stack.exports)
    open_page(page, "Compare")
    for run in ids:
        page.get_by_role("checkbox", name=f"Pick {run}").click()
    page.get_by_role("button", name="Compare selected (2)").click()
    alpha = page.locator('[data-differs="true"]').filter(has_text="alpha")
    expect(alpha).to_contain_text("0.3")
    expect(alpha).to_contain_text("3.0")
    shoot(page, request.node.name, "picked")


def test_stop_and_delete_show_their_outcome(page, web_stack, example, request):
    name = f"stop-{uuid.uuid4().hex[:6]}"
    _configuration(example, name, "1.0")
    sign_in(page, web_stack.exports)
    run = _start_from_the_app(page, name)

    # The example trains in about two seconds: the stop either lands (STOPPED) or comes too late, and then the
    # API's own reason is shown. Either way the person sees the outcome.
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_enabled()
    stop.click()
    outcome = page.get_by_role("status")
    expect(outcome).to_contain_text(re.compile(r"is being stopped|cannot be stopped"))
    if "being stopped" in outcome.inner_text():
        expect(_status(page)).to_contain_text("STOPPED", timeout=60_000)
    else:
        expect(_status(page)).to_contain_text("COMPLETED")
    shoot(page, request.node.name, "stopped")

    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Execution {run} is being deleted.")
    page.get_by_role("main", name="Executions").wait_for()
    expect(page.get_by_role("heading", name="Executions")).to_be_visible()


def test_the_status_filter_asks_the_server_and_a_row_opens_its_detail(page, web_stack, example, request):
    from tests.support.stack_process import wait_for

    call = example["call"]
    configuration = _configuration(example, f"filter-{uuid.uuid4().hex[:6]}", "1.0")
    run = call("POST", "/lm/executions", json={"configurationId": configuration})["id"]
    wait_for(lambda: call("GET", f"/lm/executions/{run}")["status"] == "COMPLETED", timeout=60, what="the run ended")
    sign_in(page, web_stack.exports)
    open_page(page, "Executions")
    with page.expect_request(lambda r: "/v2/lm/executions?" in r.url and "status=DEAD" in r.url):
        page.get_by_role("combobox", name="Status filter").click()
        page.get_by_role("option", name="DEAD").click()
    assert "status=DEAD" in page.url
    expect(page.get_by_text(re.compile(r"\d+ execution\(s\)"))).to_be_visible()
    expect(page.locator("ui5-table-row").filter(has_text=run)).to_have_count(0)
    shoot(page, request.node.name, "filtered")

    with page.expect_request(lambda r: "status=COMPLETED" in r.url):
        page.get_by_role("combobox", name="Status filter").click()
        page.get_by_role("option", name="COMPLETED").click()
    page.locator("ui5-table-row").filter(has_text=run).click()  # a row opens its execution's detail
    expect(page.get_by_role("heading", name=f"Execution {run}")).to_be_visible()
    expect(_status(page)).to_contain_text("COMPLETED")
