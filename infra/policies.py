"""Least privilege, per function and per state machine.

Two halves, so each is written where its names are known:
- `chalice_policy(stage, function)`: what the stage alone names (the tables, the function's own log group). Chalice
  puts it on the function's role from `.chalice/policy-<stage>[-<function>].json` (rendered, committed, kept equal to
  this by tests/unit/test_infra.py).
- `stack_policies(stage)`: what the stack creates or is given (bucket, KMS key, state machines, the EKS engine role), as
  AWS::IAM::Policy resources on Chalice's roles, with exact ARNs from Ref/GetAtt.
"""
from __future__ import annotations

from typing import Any, Dict, List

from chalicelib.adapters.dynamodb.models import ALL_MODELS, TABLE_BASENAMES
from chalicelib.settings import Settings

from .functions import ALL_FUNCTIONS, API, CLUSTER_TASK, GIT_POLL, INFERENCE_AUTHORIZER, SCHEDULE_TICK, Function
from .state_machines import STATE_MACHINES

_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                  "dynamodb:Query", "dynamodb:DescribeTable"]  # no Scan: every read is by key or index
_TABLE_READS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"]  # the authorizer only reads


def policy_file_name(stage: str, function: Function) -> str:
    """The API keeps the stage's historical file name; every other function has its own."""
    return f"policy-{stage}.json" if function is API else f"policy-{stage}-{function.name}.json"


def chalice_policy(stage: str, function: Function = API) -> Dict[str, Any]:
    settings = Settings(stage=stage)
    tables = [f"arn:aws:dynamodb:*:*:table/{settings.resolved_table_prefix}{TABLE_BASENAMES[m]}" for m in ALL_MODELS]
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": _TABLE_READS if function is INFERENCE_AUTHORIZER else _TABLE_ACTIONS,
         "Resource": tables + [t + "/index/*" for t in tables]},
        # The log group exists (the stack makes it, with retention): no logs:CreateLogGroup.
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:*:*:log-group:{function.log_group_name(stage)}:*"},
    ]}


def _sub(text: str) -> Dict[str, str]:
    return {"Fn::Sub": text}


BUCKET_OBJECTS = [{"Fn::GetAtt": ["ArtifactsBucket", "Arn"]}, _sub("${ArtifactsBucket.Arn}/*")]
_KEY = {"Fn::GetAtt": ["SecretsKey", "Arn"]}


def _bucket(actions: List[str]) -> Dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": BUCKET_OBJECTS}


def _key(actions: List[str]) -> Dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": _KEY}


def _start(machines) -> List[Dict[str, Any]]:
    # Starts only: the orchestrator names each execution after its run, so a repeated start is idempotent, and a
    # stop, delete or update is a start of the control machine, never a StopExecution.
    return [{"Effect": "Allow", "Action": ["states:StartExecution"],
             "Resource": [{"Ref": m.logical_id} for m in machines]}]


_OBJECTS_RW = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
_SSE_KMS_RW = ["kms:Decrypt", "kms:GenerateDataKey"]  # objects in the bucket are SSE-KMS with the same key


_TRACKING = {"Effect": "Allow", "Action": ["kms:GenerateMac"], "Resource": {"Fn::GetAtt": ["TrackingMacKey", "Arn"]}}


def _statements(function: Function, stage: str) -> List[Dict[str, Any]]:
    execution = [m for m in STATE_MACHINES if m.name == "execution"]
    if function is API:  # datasets and artifacts, secrets sealed and opened, runs started
        return [_bucket(_OBJECTS_RW), _key(["kms:Encrypt"] + _SSE_KMS_RW), _TRACKING] + _start(STATE_MACHINES)
    if function is SCHEDULE_TICK:  # creates the executions schedules owe and starts their state machine
        return _start(execution)
    if function is GIT_POLL:  # opens the repositories' sealed credentials; templates land in the table
        return [_key(["kms:Decrypt"])]
    if function is CLUSTER_TASK:  # syncs secrets into namespaces, archives logs, registers outputs, acts as the engine
        continued = [m.arn(stage) for m in STATE_MACHINES if m.continues_as_new]
        return [_bucket(_OBJECTS_RW), _key(_SSE_KMS_RW), _TRACKING,
                {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": {"Ref": "EksEngineRoleArn"}},
                # a long-polling run goes on in a fresh execution of its machine (the `continue` step)
                {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": continued}]
    if function is INFERENCE_AUTHORIZER:  # verifies tokens (the issuer's JWKS, public) and reads deployments
        return []
    raise ValueError(function.name)


def stack_policies(stage: str) -> Dict[str, Any]:
    resources: Dict[str, Any] = {}
    for function in ALL_FUNCTIONS:
        if not _statements(function, stage):
            continue  # its Chalice policy is all it needs
        resources[f"{function.logical_id}StackPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {"PolicyName": "stack-resources", "Roles": [{"Ref": function.role_id}],
                           "PolicyDocument": {"Version": "2012-10-17", "Statement": _statements(function, stage)}},
        }
    # For the workflow and predictor pods (IRSA role of infra/k8s's service account): artifacts in and out.
    resources["WorkloadAccessPolicy"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"Description": "Attach to the IAM role of the aicore-workload service account (IRSA)",
                       "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                           _bucket(["s3:GetObject", "s3:PutObject", "s3:ListBucket"]), _key(_SSE_KMS_RW)]}},
    }
    return resources
