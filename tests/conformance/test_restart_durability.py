"""Restart safety of the embedded stack's storage: what was acknowledged before a `kill -9` or a Ctrl-C is
there after the next start on the same AICORE_HOME (records in DynamoDB, files in S3)."""
import base64
import signal

import pytest
import requests

from tests.conformance.conftest import core_client
from tests.support.conformance import bearer, provisioned_group
from tests.support.stack_process import StackProcess

RG = "durable-rg"
FILE = bytes(range(256)) * 64  # 16 KiB, not text


def write_everything(stack: StackProcess, tag: str) -> dict:
    core = core_client(stack.exports)
    provisioned_group(core, f"{RG}-{tag}")
    rg = f"{RG}-{tag}"
    core.secrets.create(f"generic-{tag}", {"token": base64.b64encode(b"secret value").decode()},
                        resource_group=rg, ai_tenant_scope=False)
    core.object_store_secrets.create(name="default", type="S3", data={}, path_prefix="data", resource_group=rg)
    token = bearer(stack.exports)
    base = stack.exports["AICORE_BASE_URL"]
    headers = {"Authorization": token, "AI-Resource-Group": rg}
    upload = requests.put(f"{base}/lm/dataset/files/default/in/{tag}.bin", data=FILE, timeout=10,
                          headers={**headers, "Content-Type": "application/octet-stream"})
    assert upload.status_code == 201, upload.text
    artifact = requests.post(f"{base}/lm/artifacts", timeout=10, headers=headers, json={
        "name": f"data-{tag}", "kind": "dataset", "url": f"ai://default/in/{tag}.bin", "scenarioId": "durable",
        "description": "survives restarts"})
    assert artifact.status_code == 201, artifact.text
    # A deleted record must stay deleted.
    doomed = requests.post(f"{base}/lm/artifacts", timeout=10, headers=headers, json={
        "name": f"doomed-{tag}", "kind": "dataset", "url": "ai://default/x", "scenarioId": "durable"})
    return {"rg": rg, "artifact": artifact.json()["id"], "tag": tag, "doomed": doomed.json()["id"]}


def check_everything(stack: StackProcess, written: dict) -> None:
    core = core_client(stack.exports)
    rg, tag = written["rg"], written["tag"]
    assert core.resource_groups.get(rg).status == "PROVISIONED"
    assert f"generic-{tag}" in [s.name for s in core.secrets.query(resource_group=rg, ai_tenant_scope=False).resources]
    headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": rg}
    base = stack.exports["AICORE_BASE_URL"]
    got = requests.get(f"{base}/lm/dataset/files/default/in/{tag}.bin", headers=headers, timeout=10)
    assert got.status_code == 200 and got.content == FILE
    artifact = requests.get(f"{base}/lm/artifacts/{written['artifact']}", headers=headers, timeout=10)
    assert artifact.status_code == 200 and artifact.json()["description"] == "survives restarts"


@pytest.mark.parametrize("how", ["kill9", "ctrlc"])
def test_records_and_files_survive_a_restart(tmp_path, how):
    home = tmp_path / "home"
    first = StackProcess(home).start()
    try:
        written = write_everything(first, how)
        headers = {"Authorization": bearer(first.exports), "AI-Resource-Group": written["rg"]}
        base = first.exports["AICORE_BASE_URL"]
        # Artifacts cannot be deleted through the AI API; a secret can: its deletion must survive too.
        core = core_client(first.exports)
        core.secrets.create(f"gone-{how}", {"k": "dg=="}, resource_group=written["rg"], ai_tenant_scope=False)
        core.secrets.delete(f"gone-{how}", resource_group=written["rg"], ai_tenant_scope=False)
    finally:
        if how == "kill9":
            first.proc.kill()  # SIGKILL: no handler, no flush, no compaction
            first.proc.wait(10)
        else:
            assert first.stop(signal.SIGINT) == 0
    if how == "ctrlc":
        assert "Traceback" not in first.output()

    second = StackProcess(home, port=first.port).start()
    try:
        check_everything(second, written)
        names = [s.name for s in core_client(second.exports).secrets.query(
            resource_group=written["rg"], ai_tenant_scope=False).resources]
        assert f"gone-{how}" not in names
        # And the restarted stack keeps writing durably on top of the restored state.
        more = write_everything(second, f"{how}-2")
    finally:
        second.proc.kill()
        second.proc.wait(10)

    third = StackProcess(home, port=first.port).start()
    try:
        check_everything(third, written)
        check_everything(third, more)
        assert requests.get(f"{base}/lm/artifacts/{written['artifact']}", timeout=10, headers={
            **headers, "Authorization": bearer(third.exports)}).status_code == 200
    finally:
        assert third.stop(signal.SIGTERM) == 0
    # Nothing of the emulator's state lives outside AICORE_HOME.
    assert (home / "emulator" / "snapshot.json").exists()
