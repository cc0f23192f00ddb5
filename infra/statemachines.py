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

    @property
    def asl_path(self) -> Path:
        return ASL_DIR / f"{self.name}.asl.json"

    def definition(self) -> Dict[str, Any]:
        return json.loads(self.asl_path.read_text())


STATE_MACHINES = (StateMachine("execution", "ExecutionStateMachine"),
                  StateMachine("deployment", "DeploymentStateMachine"),
                  StateMachine("control", "ControlStateMachine"))

_CLUSTER_TASK_ARN = {"Fn::GetAtt": [CLUSTER_TASK.logical_id, "Arn"]}


def _role(machine: StateMachine) -> Dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
                 # Only this account's state machines may use the role (confused-deputy guard).
                 "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
            "Policies": [{"PolicyName": "steps", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                 "Resource": [_CLUSTER_TASK_ARN, {"Fn::Sub": f"${{{CLUSTER_TASK.logical_id}.Arn}}:*"}]},
                # CloudWatch Logs delivery for Step Functions is configured through these account-level calls,
                # which take no resource ARN (AWS documents Resource "*" for them).
                {"Effect": "Allow", "Resource": "*", "Action": [
                    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]},
            ]}}],
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
            "Properties": {"LogGroupName": f"/aws/vendedlogs/states/aicore-{stage}-{machine.name}",
                           "RetentionInDays": retention},
        }
        resources[machine.logical_id] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineName": f"aicore-{stage}-{machine.name}",
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
