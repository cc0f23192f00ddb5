"""The admin pages in a real browser: Schedules, Artifacts, Git and Secrets, each action through the page and its
outcome on the page."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import example_repository, open_page, shoot, sign_in


def outcome(page):
    return page.get_by_role("status")


def test_create_a_schedule_see_its_fire_times_and_pause_it(page, web_stack, example, request):
    name = f"nightly-{uuid.uuid4().hex[:6]}"
    config = example["call"]("POST", "/lm/configurations", json={
        "name": f"schedule-{name}", "scenarioId": "text-classifier", "executableId": "text-classifier-train",
        "parameterBindings": [{"key": "alpha", "value": "0.5"}, {"key": "min_accuracy", "value": "0"}],
        "inputArtifactBindings": [{"key": "reviews", "artifactId": example["dataset"]}]})["id"]
    sign_in(page, web_stack.exports)
    open_page(page, "Schedules")
    page.get_by_role("button", name="Create", exact=True).click()
    dialog = page.get_by_role("dialog", name="Create schedule")
    expect(dialog).to_be_visible()

    page.get_by_role("combobox", name="Configuration").fill(f"schedule-{name}")
    page.get_by_role("option", name=re.compile(f"schedule-{name}")).click()
    page.get_by_label("Cron").fill("*/5 * * * *")
    fires = page.get_by_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    expect(fires).to_have_count(5)
    minutes = [int(re.search(r" \d\d:(\d\d) UTC", text)[1]) for text in fires.all_text_contents()]
    assert all(minute % 5 == 0 for minute in minutes), minutes
    shoot(page, request.node.name, "schedule-cron-preview")

    page.get_by_label("Cron").fill("*/5 * * *")
    expect(page.get_by_text("has 4 fields; exactly 5 are needed")).to_be_visible()
    page.get_by_label("Cron").fill("0 25 * * *")
    expect(page.get_by_test_id("cron-error")).to_be_visible()
    page.get_by_role("button", name="Create schedule").click()  # sent anyway: the API's own refusal is shown too
    expect(page.get_by_role("alert").filter(has_text="25 is outside the hour range 0-23")).not_to_have_count(0)
    shoot(page, request.node.name, "schedule-cron-error")

    page.get_by_label("Cron").fill("0 3 * * MON-FRI")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create schedule").click()
    expect(outcome(page)).to_contain_text("created")
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("ACTIVE")
    expect(row).to_contain_text(config)

    page.get_by_role("button", name=f"Pause {name}").click()
    expect(outcome(page)).to_contain_text(f"Schedule '{name}' paused.")
    expect(row).to_contain_text("INACTIVE")
    assert example["call"]("GET", "/lm/executionSchedules", params={"configurationId": config})["resources"][0][
        "status"] == "INACTIVE"
    shoot(page, request.node.name, "schedules")
    page.get_by_role("button", name=f"Resume {name}").click()
    expect(outcome(page)).to_contain_text(f"Schedule '{name}' resumed.")
    expect(row).to_contain_text("ACTIVE")
    page.get_by_role("button", name=f"Delete {name}").click()
    expect(outcome(page)).to_contain_text(f"Schedule '{name}' deleted.")
    expect(row).to_have_count(0)


def test_sync_the_example_through_the_git_page_then_see_a_broken_templates_error(page, fresh_tenant, tmp_path, request):
    from tests.support.git_repo import commit_tree

    url = example_repository(tmp_path / "text-classifier")
    sign_in(page, fresh_tenant)
    open_page(page, "Git")
    page.get_by_role("button", name="Register repository").click()
    page.get_by_role("textbox", name="Repository URL").fill(url)
    page.get_by_label("Repository name").fill("example")
    page.get_by_label("Username").fill("git")
    page.get_by_label("Password or token").fill("never-shown-again")
    page.get_by_role("button", name="Register repository").last.click()
    expect(outcome(page)).to_contain_text("Repository 'example' registered")
    expect(page.get_by_role("row").filter(has_text=url)).to_contain_text("COMPLETED", timeout=30_000)
    assert "never-shown-again" not in page.content()

    page.get_by_role("button", name="Create application").click()
    page.get_by_role("combobox", name="Repository URL").click()
    page.get_by_role("option", name=url).click()
    page.get_by_label("Path", exact=True).fill("templates")
    page.get_by_label("Application name").fill("text-classifier")
    page.get_by_role("button", name="Create application").last.click()
    expect(outcome(page)).to_contain_text("Application 'text-classifier' created")
    page.get_by_role("button", name="Refresh text-classifier").click()
    expect(outcome(page)).to_contain_text("Refresh of 'text-classifier' scheduled.")
    row = page.get_by_role("row").filter(has_text="text-classifier @ HEAD")
    expect(row).to_contain_text("Synced", timeout=60_000)
    expect(row).to_contain_text("Healthy")
    page.get_by_text("Resources of text-classifier: 2 resources").click()  # collapsed while all is well
    expect(page.get_by_role("row").filter(has_text="text-classifier-train")).to_contain_text("Synced")
    shoot(page, request.node.name, "git-synced")

    commit_tree(tmp_path / "text-classifier", {"templates/broken.yaml": "kind: [broken"}, message="a broken template")
    page.get_by_role("button", name="Refresh text-classifier").click()
    expect(row).to_contain_text("OutOfSync", timeout=60_000)
    expect(row).to_contain_text("Degraded")
    broken = page.get_by_role("row", name=re.compile(r"^templates\/broken\.yaml File"))
    expect(broken).to_contain_text("OutOfSync")
    expect(broken).to_contain_text("invalid YAML")
    shoot(page, request.node.name, "git-broken-template")


def test_create_and_delete_a_secret_of_each_kind_without_ever_showing_its_value(page, web_stack, example, request):
    tag = uuid.uuid4().hex[:6]
    values = {kind: f"s3cr3t-{kind}-{uuid.uuid4().hex}" for kind in ("object", "docker", "generic")}
    sign_in(page, web_stack.exports)
    open_page(page, "Secrets")

    name = f"store-{tag}"
    page.get_by_role("button", name="Create object store secret").click()
    page.get_by_role("textbox", name="Secret name").fill(name)
    page.get_by_label("Bucket").fill("models")
    page.get_by_label("Path prefix").fill("team-a")
    page.get_by_label("Value 1").first.fill("AKIAEXAMPLE")
    page.get_by_label("Value 2").first.fill(values["object"])
    page.get_by_role("button", name="Create object store secret").last.click()
    expect(outcome(page)).to_contain_text(f"Object store secret '{name}'")
    row = page.get_by_role("row").filter(has_text=f"{name}-object-store-secret")
    expect(row).to_contain_text("models")
    expect(row).to_contain_text("team-a")
    shoot(page, request.node.name, "secrets-object-store")
    assert values["object"] not in page.content()
    page.get_by_role("button", name=f"Delete {name}-object-store-secret").click()
    expect(outcome(page)).to_contain_text(f"Object store secret '{name}' deleted.")
    expect(row).to_have_count(0)

    page.get_by_role("tab", name="Docker registry").click()
    name = f"registry-{tag}"
    page.get_by_role("button", name="Create docker registry secret").click()
    page.get_by_role("textbox", name="Secret name").fill(name)
    page.get_by_label("Registry server").fill("registry.example.com")
    page.get_by_label("Registry username").fill("robot")
    page.get_by_label("Registry password").fill(values["docker"])
    page.get_by_role("button", name="Create docker registry secret").last.click()
    expect(outcome(page)).to_contain_text(f"Docker registry secret '{name}'")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    shoot(page, request.node.name, "secrets-docker-registry")
    assert values["docker"] not in page.content()
    page.get_by_role("button", name=f"Delete {name}").click()
    expect(outcome(page)).to_contain_text(f"Docker registry secret '{name}' deleted.")
    expect(row).to_have_count(0)

    page.get_by_role("tab", name="Generic").click()
    name = f"generic-{tag}"
    page.get_by_role("button", name="Create generic secret").click()
    page.get_by_role("textbox", name="Secret name").fill(name)
    page.get_by_label("Key 1").last.fill("token")
    page.get_by_label("Value 1").last.fill(values["generic"])
    page.get_by_role("button", name="Create generic secret").last.click()
    expect(outcome(page)).to_contain_text(f"Generic secret '{name}'")  # the API refuses values that are not base64
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    shoot(page, request.node.name, "secrets-generic")
    html = page.content()
    assert all(value not in html for value in values.values())
    page.get_by_role("button", name=f"Delete {name}").click()
    expect(outcome(page)).to_contain_text(f"Generic secret '{name}' deleted.")
    expect(row).to_have_count(0)


def test_upload_a_dataset_file_and_register_its_folder_then_register_an_artifact(page, web_stack, example, tmp_path, request):
    tag = uuid.uuid4().hex[:6]
    csv = tmp_path / "notes.csv"
    csv.write_text("text,label\ngood,1\nbad,0\n")
    sign_in(page, web_stack.exports)
    open_page(page, "Artifacts")
    expect(page.get_by_role("row").filter(has_text="ai://default/text-classifier/data")).not_to_have_count(0)

    page.get_by_role("button", name="Upload dataset file").click()
    # the path first: choosing a file prefills an empty path, and a fill racing that prefill was joined to it
    page.get_by_label("Path in the object store").fill(f"browser-{tag}/data/notes.csv")
    page.locator("ui5-file-uploader input[type=file]").set_input_files(str(csv))
    page.get_by_role("button", name="Upload dataset file").last.click()
    expect(outcome(page)).to_contain_text(f"File default/browser-{tag}/data/notes.csv created successfully.")
    call = example["call"]
    stored = call.session.get(f"{call.base}/lm/dataset/files/default/browser-{tag}/data/notes.csv", timeout=10)
    assert stored.content == csv.read_bytes()

    page.get_by_role("button", name="Upload dataset file").first.click()  # the same path again: the API refuses it
    # the path first: choosing a file prefills an empty path, and a fill racing that prefill was joined to it
    page.get_by_label("Path in the object store").fill(f"browser-{tag}/data/notes.csv")
    page.locator("ui5-file-uploader input[type=file]").set_input_files(str(csv))
    page.get_by_role("button", name="Upload dataset file").last.click()
    expect(outcome(page)).to_contain_text("already exists; send overwrite=true to replace it.")
    page.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Register folder as dataset artifact").click()
    expect(page.get_by_label("URL", exact=True)).to_have_value(f"ai://default/browser-{tag}/data")
    page.get_by_label("Artifact name").fill(f"notes-{tag}")
    page.get_by_label("Description").fill("uploaded from the browser")
    shoot(page, request.node.name, "artifact-register")
    page.get_by_role("button", name="Register artifact").click()
    expect(outcome(page)).to_contain_text(f"Artifact 'notes-{tag}' registered")
    row = page.get_by_role("row").filter(has_text=f"notes-{tag}")
    expect(row).to_contain_text(f"ai://default/browser-{tag}/data")
    expect(row).to_contain_text("dataset")
    expect(row).to_contain_text("text-classifier")

    page.get_by_role("button", name="Register", exact=True).click()
    page.get_by_label("Artifact name").fill(f"model-{tag}")
    page.get_by_role("combobox", name="Kind", exact=True).click()
    page.get_by_role("option", name="model").click()
    page.get_by_label("URL", exact=True).fill("ai://Not_A_Secret/model")
    page.get_by_role("button", name="Register artifact").click()
    expect(page.get_by_role("alert").filter(has_text="must look like ai://")).not_to_have_count(0)  # the API's refusal, in the dialog
    page.get_by_label("URL", exact=True).fill(f"ai://default/browser-{tag}/model")
    page.get_by_role("button", name="Register artifact").click()
    expect(outcome(page)).to_contain_text(f"Artifact 'model-{tag}' registered")

    page.get_by_role("combobox", name="Filter by kind").click()
    page.get_by_role("option", name="model").click()
    expect(page.get_by_role("row").filter(has_text=f"model-{tag}")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text=f"notes-{tag}")).to_have_count(0)
    shoot(page, request.node.name, "artifacts")
