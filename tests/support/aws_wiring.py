"""The AWS wiring, offline: moto's DynamoDB, S3, STS and Step Functions, with the state machines the stack packages.

- The state machines are created from the same ASL files that infra/ packages (infra/statemachines/*.asl.json),
  with `${ClusterTaskArn}` replaced as CloudFormation's DefinitionSubstitutions would, and moto's Step Functions
  really executes them (`execute_state_machine`: moto's port of LocalStack's ASL interpreter: Choice, Wait,
  Retry with backoff, Catch, intrinsic functions, the states:startExecution integration).
- Their Lambda tasks go through moto's Lambda API (invoke, errors reported as a Lambda function's are), and only
  the last step, running the function's code, is replaced: moto would start the code in a Docker container;
  here `LambdaFunction._invoke_lambda` of our one function calls the project's real handler
  (`chalicelib.adapters.aws.cluster_tasks.handle`) in this process, with a JSON round trip of the event and the
  result, and an exception reported as the Python Lambda runtime reports it (errorType = the class name). That is
  the narrowest seam: everything Step Functions sees (payloads, FunctionError, error names) stays moto's.
- Wait states and Retry intervals really wait in moto's interpreter; tests keep them short through settings
  (`cluster_poll_*_seconds`), never by editing the ASL.
"""
from __future__ import annotations

import io
import json
import time
import traceback
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from unittest import mock

import boto3

ASL_DIR = Path(__file__).resolve().parents[2] / "infra" / "statemachines"
MACHINES = ("execution", "deployment", "control")
FUNCTION_NAME = "aicore-tst-cluster_task"
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def definition(name: str, cluster_task_arn: str) -> str:
    """The packaged ASL with the stack's one substitution applied (CloudFormation replaces `${Name}` as text)."""
    text = (ASL_DIR / f"{name}.asl.json").read_text()
    return text.replace("${ClusterTaskArn}", cluster_task_arn)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def cluster_task(event, context):\n    raise RuntimeError('run in-process')\n")
    return buffer.getvalue()


@contextmanager
def lambda_in_process(function_arn: str, handler: Callable[[Dict[str, Any], Any], Any]) -> Iterator[List[dict]]:
    """moto's Lambda runs `function_arn` by calling `handler` here instead of in Docker; yields the events seen."""
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction._invoke_lambda
    events: List[dict] = []

    def invoke(self, event=None):
        if self.function_arn != function_arn:
            return original(self, event)
        event = json.loads(json.dumps(event if event is not None else {}))
        events.append(event)
        try:
            result = handler(event, None)
        except Exception as err:  # what the Python Lambda runtime reports for an uncaught exception
            document = {"errorMessage": str(err), "errorType": type(err).__name__,
                        "stackTrace": traceback.format_tb(err.__traceback__)}
            return json.dumps(document), True, ""
        return json.dumps(result), False, ""

    with mock.patch.object(LambdaFunction, "_invoke_lambda", invoke):
        yield events


@contextmanager
def instant_retries() -> Iterator[List[float]]:
    """Retry intervals are slept by moto's interpreter (2 s doubling to 60 s here): record them instead of sleeping,
    for the tests that exhaust a Retry. Yields the intervals the interpreter chose."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    intervals: List[float] = []
    with mock.patch.object(retrier_decl, "time", SimpleNamespace(sleep=intervals.append)):
        yield intervals


@dataclass
class AwsWiring:
    settings: Any
    region: str
    function_arn: str
    machine_arns: Dict[str, str]
    task_events: List[dict]

    @property
    def sfn(self):
        return boto3.client("stepfunctions", region_name=self.region)

    def executions(self, machine: str) -> List[dict]:
        return self.sfn.list_executions(stateMachineArn=self.machine_arns[machine])["executions"]

    def wait(self, execution_arn: str, timeout: float = 30.0) -> dict:
        """The execution once it ended (moto runs it on a worker thread)."""
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] in FINISHED:
                return described
            if time.monotonic() > deadline:
                raise AssertionError(f"{execution_arn} still {described['status']} after {timeout} s")
            time.sleep(0.02)

    def run(self, machine: str, payload: dict, name: Optional[str] = None, timeout: float = 30.0) -> dict:
        kwargs = {"name": name} if name else {}
        started = self.sfn.start_execution(stateMachineArn=self.machine_arns[machine], input=json.dumps(payload),
                                           **kwargs)
        return self.wait(started["executionArn"], timeout)

    def history(self, execution_arn: str) -> List[dict]:
        return self.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]

    def drain(self, timeout: float = 10.0) -> None:
        """Let every execution still running end, or stop it (moto runs them on threads that would outlive the
        mock and call a Container another test configured)."""
        for machine in MACHINES:
            for execution in self.executions(machine):
                if execution["status"] != "RUNNING":
                    continue
                try:
                    self.wait(execution["executionArn"], timeout)
                except AssertionError:
                    self.sfn.stop_execution(executionArn=execution["executionArn"], error="TestEnded")

    def configure(self, **services: Any):
        """The Container as the stack configures the functions (see settings_with_arns), services overridden."""
        from chalicelib import bootstrap

        return bootstrap.configure(self.settings_with_arns(), **services)

    def settings_with_arns(self):
        """The settings the stack gives the API function (AICORE_ENGINE=stepfunctions and the three ARNs)."""
        return self.settings.model_copy(update={
            "engine": "stepfunctions",
            "execution_state_machine_arn": self.machine_arns["execution"],
            "deployment_state_machine_arn": self.machine_arns["deployment"],
            "control_state_machine_arn": self.machine_arns["control"],
        })


def _create(settings, region: str) -> tuple:
    iam = boto3.client("iam", region_name=region)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": ["lambda.amazonaws.com",
                                                                              "states.amazonaws.com"]}}]}
    role = iam.create_role(RoleName="aicore-tst-orchestration", AssumeRolePolicyDocument=json.dumps(trust))
    role_arn = role["Role"]["Arn"]
    function = boto3.client("lambda", region_name=region).create_function(
        FunctionName=FUNCTION_NAME, Runtime="python3.11", Role=role_arn, Handler="app.cluster_task",
        Code={"ZipFile": _zip()}, Timeout=300)
    sfn = boto3.client("stepfunctions", region_name=region)
    arns = {}
    for name in MACHINES:
        created = sfn.create_state_machine(name=f"aicore-tst-{name}", roleArn=role_arn, type="STANDARD",
                                           definition=definition(name, function["FunctionArn"]))
        arns[name] = created["stateMachineArn"]
    return function["FunctionArn"], arns


@contextmanager
def aws_wiring(settings, handler: Optional[Callable[[Dict[str, Any], Any], Any]] = None) -> Iterator[AwsWiring]:
    """moto (DynamoDB, S3, STS, IAM, Lambda, Step Functions executing ASL) with the stage's tables and bucket, the
    cluster_task function and the three state machines. `handler` defaults to the project's real one."""
    from moto import mock_aws

    from chalicelib.adapters.local.emulator import provision

    if handler is None:
        from chalicelib.adapters.aws.cluster_tasks import handle as handler
    region = settings.aws_region
    with mock_aws(config=MOTO_CONFIG):
        provision(settings)
        function_arn, machine_arns = _create(settings, region)
        with lambda_in_process(function_arn, handler) as events:
            wiring = AwsWiring(settings, region, function_arn, machine_arns, events)
            try:
                yield wiring
            finally:
                wiring.drain()
