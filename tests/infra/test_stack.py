"""What the packaged stack holds, per stage: checked on Chalice's output, the template that gets deployed."""
import json

import pytest

from infra.functions import ALL_FUNCTIONS, API, CLUSTER_TASK, GIT_POLL, INFERENCE_AUTHORIZER, SCHEDULE_TICK
from infra.stages import STAGES, stage_settings
from infra.state_machines import STATE_MACHINES

STAGE = pytest.mark.parametrize("stage", STAGES)


def _resources(packaged, stage, kind=None):
    resources = packaged[stage][1]["Resources"]
    return {k: r for k, r in resources.items() if kind is None or r["Type"] == kind}


@STAGE
def test_the_stack_has_every_piece(packaged, stage):
    types = {r["Type"] for r in _resources(packaged, stage).values()}
    assert {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::KMS::Alias",
            "AWS::StepFunctions::StateMachine", "AWS::Serverless::Api", "AWS::Logs::LogGroup"} <= types
    functions = _resources(packaged, stage, "AWS::Serverless::Function")
    assert set(functions) == {f.logical_id for f in ALL_FUNCTIONS}


@STAGE
def test_schedules_fire_every_minute_from_eventbridge(packaged, stage):
    functions = _resources(packaged, stage)
    for function in (GIT_POLL, SCHEDULE_TICK):
        (event,) = functions[function.logical_id]["Properties"]["Events"].values()
        assert event == {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}}


@STAGE
def test_state_machines_run_the_asl_files_with_the_cluster_task(packaged, stage):
    resources = _resources(packaged, stage)
    for machine in STATE_MACHINES:
        props = resources[machine.logical_id]["Properties"]
        assert props["Definition"] == machine.definition()
        assert props["DefinitionSubstitutions"] == {"ClusterTaskArn": {"Fn::GetAtt": ["ClusterTask", "Arn"]}}
        role = resources[props["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
        invoke, _logs, *more = role["Policies"][0]["PolicyDocument"]["Statement"]
        assert invoke["Action"] == ["lambda:InvokeFunction"]
        assert invoke["Resource"][0] == {"Fn::GetAtt": ["ClusterTask", "Arn"]}
        assert more == []  # a machine only invokes the task function (the task starts continuations)
    # ContinueAsNew: the cluster_task function starts the execution and deployment machines, and no other
    (task_policy,) = [r for k, r in resources.items() if k == f"{CLUSTER_TASK.logical_id}StackPolicy"]
    starts = [s for s in task_policy["Properties"]["PolicyDocument"]["Statement"]
              if s["Action"] == ["states:StartExecution"]]
    assert starts == [{"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [
        {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
                    f"aicore-{stage}-{name}"} for name in ("execution", "deployment")]}]


@STAGE
def test_every_function_and_state_machine_logs_with_the_stage_retention(packaged, stage):
    resources = _resources(packaged, stage)
    groups = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert {g["RetentionInDays"] for g in groups.values()} == {stage_settings(stage).log_retention_days}
    for function in ALL_FUNCTIONS:
        assert resources[function.logical_id]["Properties"]["LoggingConfig"]["LogGroup"] == {
            "Ref": function.log_group_id}
    for machine in STATE_MACHINES:
        (destination,) = resources[machine.logical_id]["Properties"]["LoggingConfiguration"]["Destinations"]
        assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0] in groups


@STAGE
def test_bucket_is_versioned_kms_encrypted_private_and_tls_only(packaged, stage):
    resources = _resources(packaged, stage)
    bucket = resources["ArtifactsBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                     "KMSMasterKeyID": {"Fn::GetAtt": ["SecretsKey", "Arn"]}}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (deny,) = resources["ArtifactsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert resources["SecretsKey"]["Properties"]["EnableKeyRotation"] is True


@STAGE
def test_functions_are_wired_to_step_functions_kms_and_the_cluster(packaged, stage):
    resources = _resources(packaged, stage)
    for function in ALL_FUNCTIONS:
        env = resources[function.logical_id]["Properties"]["Environment"]["Variables"]
        assert env["AICORE_STAGE"] == stage and env["AICORE_ENGINE"] == "stepfunctions"
        assert env["AICORE_KMS_KEY_ID"] == {"Fn::GetAtt": ["SecretsKey", "Arn"]}
        for machine in STATE_MACHINES:
            assert env[f"AICORE_{machine.name.upper()}_STATE_MACHINE_ARN"] == {"Ref": machine.logical_id}
        eks = {k for k in env if k.startswith("AICORE_EKS_")}
        expected = {"AICORE_EKS_CLUSTER_NAME", "AICORE_EKS_ENDPOINT", "AICORE_EKS_CA_DATA", "AICORE_EKS_ROLE_ARN",
                    "AICORE_EKS_WORKLOAD_ROLE_ARN"}
        # the API reads running pods' logs as itself (group aicore:log-reader), never as the engine role
        reader = {"AICORE_EKS_CLUSTER_NAME", "AICORE_EKS_ENDPOINT", "AICORE_EKS_CA_DATA"}
        assert eks == (expected if function is CLUSTER_TASK else reader if function is API else set())
    params = packaged[stage][1]["Parameters"]
    assert {"OidcIssuer", "OidcJwksUrl", "OidcAudience", "TenantClaim", "EksClusterName", "EksEndpoint", "EksCaData",
            "EksEngineRoleArn", "EksWorkloadRoleArn"} <= set(params)


def _actions(resources, function):
    """Every action a function's role allows, with what it is allowed on (Chalice's policy + the stack's)."""
    documents = [p["PolicyDocument"] for p in resources[function.role_id]["Properties"]["Policies"]]
    documents += [r["Properties"]["PolicyDocument"] for r in resources.values()
                  if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [{"Ref": function.role_id}]]
    return {a: json.dumps(s["Resource"]) for d in documents for s in d["Statement"] for a in s["Action"]}


def test_least_privilege_per_function(packaged):
    resources = _resources(packaged, "prd")
    api, tick, poll, task = (_actions(resources, f) for f in (API, SCHEDULE_TICK, GIT_POLL, CLUSTER_TASK))
    for grants in (api, tick, poll, task):  # no action on everything, no resource wider than a stage's names
        assert not [r for r in grants.values() if r == '"*"' or ":*:*:*" in r or "arn:aws:s3:::*" in r]
    assert "states:StartExecution" in api and "ControlStateMachine" in api["states:StartExecution"]
    assert "ControlStateMachine" not in tick["states:StartExecution"]
    assert not any(a.startswith(("states:", "s3:")) for a in poll)
    assert "sts:AssumeRole" in task and "sts:AssumeRole" not in api
    assert "kms:Encrypt" not in task and "kms:Decrypt" in task
    assert not any(a.startswith("lambda:") for grants in (api, tick, poll, task) for a in grants)
    assert "dynamodb:Scan" not in {a for grants in (api, tick, poll, task) for a in grants}
    # the inference authorizer reads deployments and writes its log: nothing else
    authorizer = _actions(resources, INFERENCE_AUTHORIZER)
    assert set(authorizer) == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable", "logs:CreateLogStream",
                               "logs:PutLogEvents"}


@STAGE
def test_inference_route_goes_to_the_ingress_behind_the_authorizer(packaged, stage):
    resources = _resources(packaged, stage)
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    method = body["paths"]["/v2/inference/deployments/{deploymentId}/{proxy+}"]["x-amazon-apigateway-any-method"]
    assert method["security"] == [{"InferenceAuthorizer": []}]
    integration = method["x-amazon-apigateway-integration"]
    assert (integration["type"], integration["connectionType"]) == ("http_proxy", "VPC_LINK")
    assert integration["connectionId"] == {"Ref": "InferenceVpcLink"}
    assert integration["requestParameters"]["integration.request.header.Host"] == "context.authorizer.host"
    assert integration["responseTransferMode"] == "STREAM"  # a predictor that streams reaches the client as it does
    authorizer = body["securityDefinitions"]["InferenceAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "request" and authorizer["authorizerResultTtlInSeconds"] == 0
    assert "InferenceAuthorizer.Arn" in authorizer["authorizerUri"]["Fn::Sub"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert "$context.authorizer.message" in responses["ACCESS_DENIED"]["responseTemplates"]["application/json"]
    assert responses["UNAUTHORIZED"]["statusCode"] == 401
    assert resources["InferenceVpcLink"]["Properties"]["TargetArns"] == [{"Ref": "IngressNlbArn"}]
    permission = resources["InferenceAuthorizerInvokePermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com" and "/authorizers/*" in permission["SourceArn"]["Fn::Sub"]
    # the rest of the API still goes to the API function
    assert sum(1 for p in body["paths"].values() for m in p.values()
               if m["x-amazon-apigateway-integration"]["type"] == "aws_proxy") > 50
