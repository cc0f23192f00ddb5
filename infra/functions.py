"""The Lambda functions Chalice packages from app.py, under the logical ids `chalice package` gives them.

Chalice names the API function `api_handler` and every other function after its `name=`; the merge template adds to
those resources (environment, log group) and attaches the stack's policies to their roles, so the ids must match.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class Function:
    name: str  # Chalice's name: the key under `lambda_functions` in .chalice/config.json
    logical_id: str  # the AWS::Serverless::Function in the packaged template
    role_id: str  # the AWS::IAM::Role Chalice makes for it (autogen_policy false: from its iam_policy_file)

    @property
    def log_group_id(self) -> str:
        return f"{self.logical_id}LogGroup"

    def log_group_name(self, stage: str) -> str:
        return f"/aws/lambda/aicore-{stage}-{self.name}"


API = Function("api_handler", "APIHandler", "ApiHandlerRole")
GIT_POLL = Function("git-poll", "GitPoll", "GitPollRole")  # @app.schedule(..., name="git-poll")
SCHEDULE_TICK = Function("schedule-tick", "ScheduleTick", "ScheduleTickRole")  # @app.schedule(..., name="schedule-tick")
CLUSTER_TASK = Function("cluster_task", "ClusterTask", "ClusterTaskRole")  # @app.lambda_function(name="cluster_task")

# @app.lambda_function(name="inference_authorizer"): API Gateway's authorizer of the inference path (infra/inference.py)
INFERENCE_AUTHORIZER = Function("inference_authorizer", "InferenceAuthorizer", "InferenceAuthorizerRole")

ALL_FUNCTIONS: Tuple[Function, ...] = (API, GIT_POLL, SCHEDULE_TICK, CLUSTER_TASK, INFERENCE_AUTHORIZER)
