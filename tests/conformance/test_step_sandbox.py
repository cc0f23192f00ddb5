"""A step is a pod: through the real stack, a template's step tries to read the stack's secrets and to write the
host, and fails; its own folders, its /tmp, its outputs and logs still work.

The probe runs as an ordinary `script` step of a synced WorkflowTemplate. The test (root on the host) tells it
which paths to try: the token signing key, the secrets key, every tenant's service key, the emulator's journal
and blobs, the Git cache, another execution's folder and log, another tenant's log; each by absolute path, through
`..`, by a relative path from /tmp, through /proc/<stack pid>/root and through a symlink the step makes; and it
asks the embedded AWS emulator (which takes any credentials) directly over loopback."""
import base64
import json
import os
import re
import uuid

import requests
import yaml
from ai_api_client_sdk.models.parameter_binding import ParameterBinding
from ai_api_client_sdk.models.status import Status

from tests.support.conformance import bearer, onboard, provisioned_group, training_data
from tests.support.pod_probe import TRY_PATHS
from tests.support.stack_process import ROOT, wait_for

RG = "conf-sandbox"
SCENARIO, EXECUTABLE = "sandboxprobe", "sandbox-probe"

PROBE = TRY_PATHS + r'''
import base64, errno, json, os, urllib.error, urllib.request
spec = json.loads(base64.b64decode(os.environ["PROBE"]))
pid = spec["stack_pid"]

os.chdir("/tmp")
os.makedirs("/data/report", exist_ok=True)
reads = {}
for i, target in enumerate(spec["secrets"]):
    link = f"/tmp/link-{i}"
    os.symlink(target, link)
    for how, path in (("absolute", target), ("dotdot", "/tmp/../../.." + target),
                      ("relative", "../../../../../../../.." + target), ("proc-root", f"/proc/{pid}/root{target}"),
                      ("symlink", link)):
        reads[f"{how} {target}"] = outcome(read, path)
reads[f"/proc/{pid}/environ"] = outcome(read, f"/proc/{pid}/environ")
try:  # the emulator holds every tenant's records and objects, and moto takes any credentials
    emulator = urllib.request.urlopen(spec["emulator"], timeout=10).status
except urllib.error.HTTPError as err:
    emulator = err.code
report = {"reads": reads, "writes": {p: outcome(write, p) for p in spec["forbidden"] + spec["allowed"]},
          "env": sorted(os.environ), "uid": os.getuid(), "gid": os.getgid(),
          "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
          "signal_stack": outcome(lambda p: os.kill(p, 0), pid), "emulator": emulator}
with open("/data/report/result.json", "w") as f:
    json.dump(report, f)
print("probe done", len(reads), "reads")
'''


def template() -> str:
    return yaml.safe_dump({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
        "metadata": {"name": EXECUTABLE, "annotations": {"scenarios.ai.sap.com/name": SCENARIO,
                                                         "executables.ai.sap.com/name": EXECUTABLE},
                     "labels": {"scenarios.ai.sap.com/id": SCENARIO, "ai.sap.com/version": "1.0.0"}},
        "spec": {"entrypoint": "probe", "arguments": {"parameters": [{"name": "probe", "value": ""}]},
                 "templates": [{
                     "name": "probe",
                     "outputs": {"artifacts": [{"name": "report", "globalName": "report", "path": "/data/report",
                                                "archive": {"none": {}}}]},
                     "script": {"image": "sandbox-probe:1", "command": ["python"], "source": PROBE,
                                "env": [{"name": "PROBE", "value": "{{workflow.parameters.probe}}"}]}}]}})


def run_probe(core, spec: dict) -> str:
    value = base64.b64encode(json.dumps(spec).encode()).decode()
    config = core.configuration.create(name=f"probe {uuid.uuid4().hex[:6]}", scenario_id=SCENARIO,
                                       executable_id=EXECUTABLE, resource_group=RG,
                                       parameter_bindings=[ParameterBinding(key="probe", value=value)]).id
    execution = core.execution.create(config, resource_group=RG).id
    wait_for(lambda: core.execution.get(execution, resource_group=RG).status in (Status.COMPLETED, Status.DEAD),
             timeout=60, what="probe execution finished")
    done = core.execution.get(execution, resource_group=RG)
    assert done.status == Status.COMPLETED, done.status_message
    return execution


def files(home, pattern: str, limit: int = 50) -> list:
    return sorted(str(p) for p in home.glob(pattern) if p.is_file())[:limit]


def test_a_step_cannot_read_the_stacks_secrets_nor_write_the_host(stack, core, acme, tmp_path):
    provisioned_group(core, RG)
    training_data(core, RG)  # the `default` object store: outputs are uploaded there
    onboard(core, tmp_path / "repo", {"workflows/probe.yaml": template()}, "sandbox-probe-repo", "sandbox-probe-app")
    tag = uuid.uuid4().hex[:8]
    home = stack.home.resolve()
    other_tenant_log = home / "logs" / "another-tenant" / "default" / "execution" / "planted.jsonl"
    other_tenant_log.parent.mkdir(parents=True, exist_ok=True)
    other_tenant_log.write_text('{"msg": "another tenant\'s line"}\n')
    emulator = re.search(r"AWS emulator \(DynamoDB, S3\): (\S+)", stack.output())[1]
    blank = {"stack_pid": stack.proc.pid, "emulator": emulator + "/", "secrets": [], "forbidden": [], "allowed": []}
    first = run_probe(core, blank)  # "another execution": its folder and log are targets of the second

    secrets = (files(home, "keys/*") + files(home, "service-keys/*.json") + files(home, "emulator/*")
               + files(home, "emulator/blobs/**/*", 2) + files(home, "git-cache/**/*", 1)
               + files(home, f"runs/*/{RG}/{first}/pods/*/fs/data/report/*") + files(home, f"logs/*/{RG}/execution/*")
               + [str(other_tenant_log)])
    assert len(files(home, "keys/*")) >= 2 and len(files(home, "service-keys/*.json")) >= 2  # default and acme
    assert any("emulator/" in s for s in secrets) and any(f"/{first}/pods/" in s for s in secrets)
    forbidden = [f"/root/x-{tag}", f"/var/tmp/x-{tag}", f"/etc/x-{tag}", f"/usr/x-{tag}", f"{ROOT}/x-{tag}",
                 f"{home}/x-{tag}", f"{home}/keys/x-{tag}"]
    allowed = [f"/tmp/x-{tag}", f"/dev/shm/x-{tag}", "/data/report/written"]
    execution = run_probe(core, {**blank, "secrets": secrets, "forbidden": forbidden, "allowed": allowed})

    got = requests.get(f"{stack.exports['AICORE_BASE_URL']}/lm/dataset/files/default/{execution}/report/result.json",
                       headers={"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}, timeout=10)
    assert got.status_code == 200, got.text  # the output artifact was uploaded from the step's folder
    report = got.json()
    assert len(report["reads"]) == 5 * len(secrets) + 1
    assert {k: v for k, v in report["reads"].items() if v == "ok"} == {}
    # Under /tmp (a repository or home there, as in a CI clone) the path is inside the pod's private /tmp: a write
    # may succeed there but never reaches the host (checked below).
    refused = [p for p in forbidden if not p.startswith("/tmp/")]
    assert {p: report["writes"][p] for p in refused if report["writes"][p] == "ok"} == {}
    assert {p: report["writes"][p] for p in allowed} == {p: "ok" for p in allowed}
    assert not any(os.path.exists(p) for p in forbidden + [f"/tmp/x-{tag}", f"/dev/shm/x-{tag}"])  # nothing leaked
    assert (report["uid"], report["gid"]) == (65534, 65534)
    assert stack.proc.pid not in report["pids"] and len(report["pids"]) <= 3  # its own pid namespace
    assert report["signal_stack"] in ("ESRCH", "EPERM")
    assert report["emulator"] == 403
    leaked = [k for k in report["env"] if k.startswith("AWS_") or k in ("AICORE_HOME", "AICORE_SECRETS_KEY",
                                                                          "AICORE_PORT", "AICORE_CLIENT_SECRET")]
    assert leaked == [] and "AICORE_EXECUTION_ID" in report["env"]
    logs = [line.msg for line in core.execution.query_logs(execution, resource_group=RG).data.result]
    assert any(line.startswith("probe done") for line in logs)
