"""The three Step Functions state machines, their roles and log groups.

The definitions are the ASL files in infra/statemachines/ (the same files the offline tests execute); the only
substitution is `${ClusterTaskArn}`, the one Lambda function that runs every orchestration step.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

from .functions import CLUSTER_TASK
from .stages import stage_settings

ASL_DIR = Path(__file__).parent / "statemachines"


@dataclass(frozen=True)
class StateMachine:
    name: str  # execution | deployment | control
    logical_id: str
    # Past its polls per execution the machine goes on in a fresh execution of itself (ContinueAsNew, see
    # infra/statemachines/README.md), which the cluster_task function starts: its role may start this machine,
    # named by ARN (a Ref would be circular: the machine's definition refers to the function).
    continues_as_new: bool = False

    def arn(self, stage: str) -> Dict[str, str]:
        return {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
                           + self.state_machine_name(stage)}

    def state_machine_name(self, stage: str) -> str:
        return f"aicore-{stage}-{self.name}"

    @property
    def asl_path(self) -> Path:
        return ASL_DIR / f"{self.name}.asl.json"

    def definition(self) -> Dict[str, Any]:
        return json.loads(self.asl_path.read_text())


STATE_MACHINES = (StateMachine("execution", "ExecutionStateMachine", continues_as_new=True),
                  StateMachine("deployment", "DeploymentStateMachine", continues_as_new=True),
                  StateMachine("control", "ControlStateMachine"))

_CLUSTER_TASK_ARN = {"Fn::GetAtt": [CLUSTER_TASK.logical_id, "Arn"]}


def _role(machine: StateMachine) -> Dict[str, Any]:
    statements = [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [_CLUSTER_TASK_ARN, {"Fn::Sub": f"${{{CLUSTER_TASK.logical_id}.Arn}}:*"}]},
        # CloudWatch Logs delivery for Step Functions is configured through these account-level calls,
        # which take no resource ARN (AWS documents Resource "*" for them).
        {"Effect": "Allow", "Resource": "*", "Action": [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]},
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
                 # Only this account's state machines may use the role (confused-deputy guard).
                 "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
            "Policies": [{"PolicyName": "steps",
                          "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        },
    }


def state_machine_resources(stage: str) -> Dict[str, Any]:
    retention = stage_settings(stage).log_retention_days
    resources: Dict[str, Any] = {}
    for machine in STATE_MACHINES:
        role_id, logs_id = f"{machine.logical_id}Role", f"{machine.logical_id}LogGroup"
        resources[role_id] = _role(machine)
        resources[logs_id] = {
            "Type": "AWS::Logs::LogGroup",
            # /aws/vendedlogs/ keeps the account's CloudWatch Logs resource policy small (AWS's advice).
            "Properties": {"LogGroupName": f"/aws/vendedlogs/states/{machine.state_machine_name(stage)}",
                           "RetentionInDays": retention},
        }
        resources[machine.logical_id] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineName": machine.state_machine_name(stage),
                "StateMachineType": "STANDARD",  # runs wait and poll for hours; Express stops at 5 minutes
                "Definition": machine.definition(),
                "DefinitionSubstitutions": {"ClusterTaskArn": _CLUSTER_TASK_ARN},
                "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
                # ERROR only, without execution data: ALL would log every state transition (a cost that grows
                # with polling) and the run's input and output.
                "LoggingConfiguration": {"Level": "ERROR", "IncludeExecutionData": False, "Destinations": [
                    {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [logs_id, "Arn"]}}}]},
            },
        }
    return resources
