"""Scenarios, Configurations and Deployments in the browser, against the example: the catalog shows its executables;
a serving configuration made with the form (bound to a model trained in the set-up) is deployed, reaches RUNNING,
answers a prediction from the page's panel, and stops; a bad configuration shows the API's own error."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page, shoot, sign_in
from tests.support.stack_process import wait_for

REVIEWS = '{"instances": ["The screen is excellent. I love it", "It keeps crashing"]}'


@pytest.fixture(scope="module")
def trained_model(example):
    """The model artifact a training run of the example registers (trained through the API: not the page under
    test), bound as cicd/config.json binds it: the dataset to `reviews`."""
    call = example["call"]
    configuration = call("POST", "/lm/configurations", json={
        "name": "browser training", "scenarioId": "text-classifier", "executableId": "text-classifier-train",
        "parameterBindings": [{"key": "alpha", "value": "0.5"}, {"key": "min_accuracy", "value": "0.8"}],
        "inputArtifactBindings": [{"key": "reviews", "artifactId": example["dataset"]}]})["id"]
    execution = call("POST", "/lm/executions", json={"configurationId": configuration})["id"]
    done = wait_for(lambda: (lambda e: e if e["status"] in ("COMPLETED", "DEAD") else None)(
        call("GET", f"/lm/executions/{execution}")), timeout=120, interval=1, what="the training run")
    assert done["status"] == "COMPLETED", done
    return next(a["id"] for a in done["outputArtifacts"] if a["name"] == "textmodel")


def pick(page, select: str, option: str | re.Pattern) -> None:
    """A UI5 Select as a person uses it: open it by its accessible name, click the option."""
    page.get_by_role("combobox", name=select, exact=True).click()
    page.get_by_role("option", name=option).click()


def js_literal(text: str) -> str:
    """`text` inside a /regex/ of an aria snapshot (a JavaScript regex: no escaping of '-')."""
    return re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", text)


def has_row(page, table: str, text: str, timeout: float = 15_000) -> None:
    """A row of the named table shows `text` (through the accessibility tree: UI5 slots its rows into the grid)."""
    expect(page.get_by_role("grid", name=table)).to_match_aria_snapshot(
        f"- row /{js_literal(text)}/", timeout=timeout)


def outcome(page):
    return page.get_by_role("status")


def test_scenarios_show_the_examples_executables(page, web_stack, example, request):
    sign_in(page, web_stack.exports)
    open_page(page, "Scenarios")
    has_row(page, "Scenarios", "text-classifier")
    shoot(page, request.node.name, "scenarios")
    page.get_by_role("link", name="Text classifier").click()
    main = page.get_by_role("main", name="Scenarios")
    expect(main.get_by_role("heading", name="Scenario Text classifier")).to_be_visible()
    has_row(page, "Parameters of text-classifier-train", "alpha")
    has_row(page, "Parameters of text-classifier-train", "min_accuracy")
    has_row(page, "Parameters of text-classifier-serve", "model_name")
    has_row(page, "Input artifacts of text-classifier-train", "reviews")
    has_row(page, "Input artifacts of text-classifier-train", "dataset")
    has_row(page, "Output artifacts of text-classifier-train", "textmodel")
    has_row(page, "Input artifacts of text-classifier-serve", "textmodel")
    expect(page.get_by_role("form", name="Executable text-classifier-serve")).to_match_aria_snapshot(
        "- text: /Deployable/")
    expect(page.get_by_role("form", name="Executable text-classifier-train")).to_match_aria_snapshot(
        "- text: /Not deployable/")
    has_row(page, "Versions", "1.0.0")
    shoot(page, request.node.name, "scenario")
    # from an executable straight to the form, that executable chosen
    page.get_by_role("button", name="Create configuration of text-classifier-serve").click()
    page.get_by_role("main", name="Configurations").wait_for()
    expect(page.get_by_role("combobox", name="Executable", exact=True)).to_contain_text("text-classifier-serve")
    expect(page.get_by_label("model_name", exact=True)).to_have_value("text-classifier")


def test_configure_deploy_predict_switch_stop_and_delete_in_the_app(page, web_stack, example, trained_model, request):
    # another configuration of the serving executable (made through the API) to switch the deployment to
    example["call"]("POST", "/lm/configurations", json={
        "name": "browser serving b", "scenarioId": "text-classifier", "executableId": "text-classifier-serve",
        "parameterBindings": [{"key": "model_name", "value": "text-classifier"}],
        "inputArtifactBindings": [{"key": "textmodel", "artifactId": trained_model}]})
    sign_in(page, web_stack.exports)
    open_page(page, "Configurations")
    has_row(page, "Configurations", "browser training")
    shoot(page, request.node.name, "configurations")

    page.get_by_role("button", name="Create", exact=True).click()
    pick(page, "Scenario", re.compile("text-classifier"))
    pick(page, "Executable", re.compile("text-classifier-serve"))
    expect(page.get_by_label("model_name", exact=True)).to_have_value("text-classifier")
    page.get_by_label("Name", exact=True).fill("browser serving")
    pick(page, "textmodel", re.compile(trained_model))
    shoot(page, request.node.name, "create-form")
    page.get_by_role("button", name="Create configuration").click()
    expect(outcome(page)).to_contain_text("Configuration 'browser serving' created")
    expect(page.get_by_role("heading", name="Configuration browser serving")).to_be_visible()
    has_row(page, "Input artifact bindings", trained_model)
    shoot(page, request.node.name, "configuration")

    page.get_by_role("button", name="Deploy").click()
    expect(outcome(page)).to_contain_text(re.compile(r"Deployment [0-9a-f]+ created"))
    page.get_by_role("link", name=re.compile("Open deployment")).click()
    page.get_by_role("main", name="Deployments").wait_for()
    expect(page.get_by_role("group", name="Deployment status")).to_contain_text("RUNNING", timeout=90_000)
    expect(page.get_by_text(re.compile(r"/v2/inference/deployments/[0-9a-f]+$"))).to_be_visible()
    expect(page.get_by_label("Path", exact=True)).to_have_value("/v1/models/text-classifier:predict")

    page.get_by_label("Request body").fill(REVIEWS)
    page.get_by_role("button", name="Send").click()
    response = page.get_by_role("region", name="Prediction response")
    expect(response).to_contain_text("200")
    expect(response).to_contain_text('"positive"')
    expect(response).to_contain_text('"negative"')
    expect(page.get_by_role("log", name="Deployment logs")).to_contain_text(":predict", timeout=30_000)
    shoot(page, request.node.name, "deployment")

    pick(page, "Switch to configuration", re.compile("browser serving b"))
    page.get_by_role("button", name="Switch configuration").click()
    expect(outcome(page)).to_contain_text("is switching to configuration")
    expect(page.get_by_role("link", name="browser serving b")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("group", name="Deployment status")).to_contain_text("RUNNING", timeout=90_000)

    page.get_by_role("button", name="Stop").click()
    expect(outcome(page)).to_contain_text("is stopping")
    expect(page.get_by_role("group", name="Deployment status")).to_contain_text("STOPPED", timeout=60_000)
    shoot(page, request.node.name, "stopped")

    page.get_by_role("button", name="Delete").click()
    expect(outcome(page)).to_contain_text("is being deleted")
    page.get_by_role("grid", name="Deployments").wait_for()  # back on the list
    shoot(page, request.node.name, "deployments")


def test_start_an_execution_from_a_configuration(page, web_stack, example, trained_model, request):
    sign_in(page, web_stack.exports)
    open_page(page, "Configurations")
    page.get_by_role("link", name="browser training").first.click()
    expect(page.get_by_role("heading", name="Configuration browser training")).to_be_visible()
    has_row(page, "Parameter bindings", "alpha 0.5")
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)  # a workflow: it runs, it does not serve
    page.get_by_role("button", name="Start execution").click()
    expect(outcome(page)).to_contain_text(re.compile(r"Execution [0-9a-f]+ started"))
    page.get_by_role("link", name=re.compile("Open execution")).click()
    page.get_by_role("main", name="Executions").wait_for()


def test_a_bad_configuration_shows_the_apis_error(page, web_stack, example, request):
    sign_in(page, web_stack.exports)
    open_page(page, "Configurations")
    page.get_by_role("button", name="Create", exact=True).click()
    pick(page, "Executable", re.compile("text-classifier-train"))
    expect(page.get_by_label("alpha", exact=True)).to_have_value("1.0")
    page.get_by_label("Name", exact=True).fill("x" * 300)
    page.get_by_role("button", name="Create configuration").click()
    expect(outcome(page)).to_contain_text("'name' String should have at most 256 characters")
    expect(page.get_by_role("heading", name="Create configuration")).to_be_visible()  # still on the form
    shoot(page, request.node.name, "error")
