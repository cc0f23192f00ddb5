"""The merge template for `chalice package --merge-template`: everything of a stage's stack that is not a function.

`python -m infra.resources STAGE` writes infra/build/STAGE/resources.json, which `make package STAGE=...` merges into
Chalice's template (Chalice deep-merges it: the keys below under a Chalice function add to that function). The tables
are rendered from the PynamoDB models and the names from Settings, so the local stack and AWS cannot drift apart.
`python -m infra.resources --policies` rewrites the committed `.chalice/policy-*.json` files.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict

from chalicelib.adapters.dynamodb.models import ALL_MODELS, TABLE_BASENAMES
from chalicelib.settings import Settings

from . import inference, inference_metrics, monitoring
from .functions import ALL_FUNCTIONS, API, CLUSTER_TASK, INFERENCE_AUTHORIZER
from .policies import chalice_policy, policy_file_name, stack_policies
from .stages import STAGES, stage_settings
from .state_machines import STATE_MACHINES, state_machine_resources

CHALICE_DIR = Path(__file__).resolve().parents[1] / ".chalice"

PARAMETERS: Dict[str, Dict[str, Any]] = {
    "OidcIssuer": {"Type": "String", "Description": "OIDC issuer of the tokens the API accepts (the iss claim)"},
    "OidcJwksUrl": {"Type": "String", "Description": "JWKS URL of that issuer"},
    "OidcAudience": {"Type": "String", "Default": "", "Description": "Expected aud claim (empty: not checked)"},
    "TenantClaim": {"Type": "String", "Default": "zid", "Description": "Claim naming the tenant of a token"},
    "WebappClientId": {"Type": "String", "Default": "",
                       "Description": "The web app's public OIDC client at the issuer (authorization code with PKCE, "
                                      "redirect URI: PublicUrl + '/'); empty: the app cannot sign in"},
    "PublicUrl": {"Type": "String", "Default": "",
                  "Description": "Base URL of the API without /v2 (custom domain or the ApiUrl output)"},
    "EksClusterName": {"Type": "String", "Description": "EKS cluster that runs Argo Workflows and KServe"},
    "EksEndpoint": {"Type": "String", "Description": "The cluster's API server endpoint (https://...)"},
    "EksCaData": {"Type": "String", "Description": "The cluster's certificate authority data (base64)"},
    "EksEngineRoleArn": {"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
                         "Description": "IAM role the cluster maps to the aicore engine (infra/k8s RBAC)"},
    "EksWorkloadRoleArn": {"Type": "String", "Default": "", "AllowedPattern": "^(arn:aws[a-z-]*:iam::[0-9]{12}:role/.+)?$",
                           "Description": "IAM role (IRSA) of the aicore-workload service account the engine "
                                          "makes in each namespace: workflow and predictor pods reach S3 with it"},
}

LOG_ARCHIVE_PREFIX = "logs/"  # pods' logs after they are gone, in the artifacts bucket


def _optional(parameter: str) -> Dict[str, Any]:
    return {"Fn::If": [f"Has{parameter}", {"Ref": parameter}, {"Ref": "AWS::NoValue"}]}


def _logical_id(basename: str) -> str:
    return "".join(part.capitalize() for part in basename.replace("_", "-").split("-")) + "Table"


def _retained(stage: str) -> Dict[str, str]:
    policy = "Retain" if stage_settings(stage).keep_data else "Delete"
    return {"DeletionPolicy": policy, "UpdateReplacePolicy": policy}


def table_resource(model, table_name: str, stage: str) -> Dict[str, Any]:
    schema = model._get_schema()
    props: Dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": schema["key_schema"],
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": stage_settings(stage).keep_data},
    }
    if schema["global_secondary_indexes"]:
        props["GlobalSecondaryIndexes"] = [
            {"IndexName": gsi["index_name"], "KeySchema": gsi["key_schema"], "Projection": gsi["projection"]}
            for gsi in schema["global_secondary_indexes"]
        ]
    return {"Type": "AWS::DynamoDB::Table", **_retained(stage), "Properties": props}


def _key_and_bucket(stage: str, settings: Settings) -> Dict[str, Any]:
    key = {
        "Type": "AWS::KMS::Key", **_retained(stage),
        "Properties": {
            "Description": f"aicore {stage}: secret data and the artifacts bucket",
            "EnableKeyRotation": True,
            # The account administers the key; the functions' IAM policies say who may use it.
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                 "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}]},
        },
    }
    bucket = {
        "Type": "AWS::S3::Bucket", **_retained(stage),
        "Properties": {
            "BucketName": settings.resolved_bucket,
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                  "KMSMasterKeyID": {"Fn::GetAtt": ["SecretsKey", "Arn"]}},
                "BucketKeyEnabled": True}]},  # one KMS request per object and hour, not per request
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        },
    }
    tls_only = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": "ArtifactsBucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [{"Fn::GetAtt": ["ArtifactsBucket", "Arn"]}, {"Fn::Sub": "${ArtifactsBucket.Arn}/*"}],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}},
    }
    # Run credentials (AICORE_TRACKING_ENDPOINT) are HMAC-signed with a key every function derives alike: the MAC of
    # a fixed message under this HMAC key, one KMS request per cold start, no key material stored anywhere.
    tracking = {
        "Type": "AWS::KMS::Key", **_retained(stage),
        "Properties": {"Description": f"aicore {stage}: derives the signing key of run credentials",
                       "KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC",
                       "KeyPolicy": key["Properties"]["KeyPolicy"]},
    }
    alias = {"Type": "AWS::KMS::Alias",
             "Properties": {"AliasName": f"alias/aicore-{stage}-secrets", "TargetKeyId": {"Ref": "SecretsKey"}}}
    return {"SecretsKey": key, "SecretsKeyAlias": alias, "TrackingMacKey": tracking, "ArtifactsBucket": bucket,
            "ArtifactsBucketPolicy": tls_only}


def _environment(function) -> Dict[str, Any]:
    env: Dict[str, Any] = {
        "AICORE_ENGINE": "stepfunctions",
        "AICORE_HOME": "/tmp/aicore",  # the only writable path in Lambda (Git cache, scratch files)
        "AICORE_AWS_REGION": {"Ref": "AWS::Region"},  # Settings defaults to eu-central-1 otherwise
        "AICORE_ARTIFACTS_BUCKET": {"Ref": "ArtifactsBucket"},
        "AICORE_KMS_KEY_ID": {"Fn::GetAtt": ["SecretsKey", "Arn"]},
        "AICORE_TRACKING_MAC_KEY_ID": {"Fn::GetAtt": ["TrackingMacKey", "Arn"]},
        "AICORE_LOG_ARCHIVE_PREFIX": LOG_ARCHIVE_PREFIX,
        "AICORE_OIDC_ISSUER": {"Ref": "OidcIssuer"},
        "AICORE_OIDC_JWKS_URL": {"Ref": "OidcJwksUrl"},
        "AICORE_OIDC_AUDIENCE": _optional("OidcAudience"),
        "AICORE_TENANT_CLAIM": {"Ref": "TenantClaim"},
        "AICORE_PUBLIC_URL": _optional("PublicUrl"),
        "AICORE_WEBAPP_OIDC_CLIENT_ID": _optional("WebappClientId"),
    }
    for machine in STATE_MACHINES:
        env[f"AICORE_{machine.name.upper()}_STATE_MACHINE_ARN"] = {"Ref": machine.logical_id}
    if function is INFERENCE_AUTHORIZER:  # the host KServe serves a deployment under
        env.update({"AICORE_INGRESS_DOMAIN": {"Ref": "IngressDomain"},
                    "AICORE_INGRESS_DOMAIN_TEMPLATE": {"Ref": "IngressDomainTemplate"}})
    # The task drives the cluster as the engine role; the API reads running pods' logs (the logs endpoints) as
    # itself, which the cluster maps to the read-only group aicore:log-reader (infra/k8s/log-reader-rbac.yaml), so
    # it gets no engine role. No other function reaches the cluster (Lambda's environment is 4 KB in all).
    if function in (CLUSTER_TASK, API):
        env.update({"AICORE_EKS_CLUSTER_NAME": {"Ref": "EksClusterName"},
                    "AICORE_EKS_ENDPOINT": {"Ref": "EksEndpoint"},
                    "AICORE_EKS_CA_DATA": {"Ref": "EksCaData"}})
    if function is CLUSTER_TASK:
        env.update({"AICORE_EKS_ROLE_ARN": {"Ref": "EksEngineRoleArn"},
                    "AICORE_EKS_WORKLOAD_ROLE_ARN": {"Ref": "EksWorkloadRoleArn"}})
    return env


def _functions(stage: str) -> Dict[str, Any]:
    """Additions to Chalice's functions: environment and a log group with the stage's retention."""
    resources: Dict[str, Any] = {}
    retention = stage_settings(stage).log_retention_days
    for function in ALL_FUNCTIONS:
        resources[function.log_group_id] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": function.log_group_name(stage), "RetentionInDays": retention}}
        resources[function.logical_id] = {"Properties": {
            "Environment": {"Variables": _environment(function)},
            "LoggingConfig": {"LogGroup": {"Ref": function.log_group_id}, "LogFormat": "Text"},
        }}
    return resources


def render(stage: str) -> Dict[str, Any]:
    """The whole merge template of a stage."""
    settings = Settings(stage=stage)
    resources: Dict[str, Any] = {}
    for model in ALL_MODELS:
        basename = TABLE_BASENAMES[model]
        resources[_logical_id(basename)] = table_resource(model, f"{settings.resolved_table_prefix}{basename}", stage)
    resources.update(_key_and_bucket(stage, settings))
    resources.update(state_machine_resources(stage))
    resources.update(stack_policies(stage))
    resources.update(_functions(stage))
    resources.update(inference.resources())
    resources.update(monitoring.resources(stage))  # CloudWatch dashboard and alarms over the functions' EMF figures
    # The stage's access log and the metric filters that make inference figures of it (no function in that path).
    resources.update(inference_metrics.resources(stage, stage_settings(stage).log_retention_days))
    resources["RestAPI"] = {"Properties": {"DefinitionBody": inference.definition_body(),  # merged into Chalice's
                                           "AccessLogSetting": inference_metrics.access_log_setting(stage)}}
    return {
        "Parameters": {**PARAMETERS, **inference.PARAMETERS, **monitoring.PARAMETERS},
        "Conditions": {f"Has{p}": {"Fn::Not": [{"Fn::Equals": [{"Ref": p}, ""]}]}
                       for p in ("OidcAudience", "PublicUrl", "WebappClientId") + monitoring.OPTIONAL_PARAMETERS},
        "Resources": resources,
        "Outputs": {
            "ArtifactsBucketName": {"Value": {"Ref": "ArtifactsBucket"}},
            "SecretsKeyArn": {"Value": {"Fn::GetAtt": ["SecretsKey", "Arn"]}},
            "ClusterTaskRoleArn": {"Value": {"Fn::GetAtt": [CLUSTER_TASK.role_id, "Arn"]},
                                   "Description": "Let this role assume EksEngineRoleArn (its trust policy)"},
            "ApiHandlerRoleArn": {"Value": {"Fn::GetAtt": [API.role_id, "Arn"]},
                                  "Description": "Map this role to the group aicore:log-reader (running pods' logs)"},
            "WorkloadAccessPolicyArn": {"Value": {"Ref": "WorkloadAccessPolicy"},
                                        "Description": "Attach to the IRSA role of the aicore-workload account"},
            **{f"{m.logical_id}Arn": {"Value": {"Ref": m.logical_id}} for m in STATE_MACHINES},
            "OperationsDashboardName": {
                "Value": {"Ref": "OperationsDashboard"},
                "Description": "CloudWatch dashboard of executions, predictors, schedules and syncs"},
        },
    }


def policy(stage: str) -> Dict[str, Any]:
    """The API function's Chalice policy (`.chalice/policy-<stage>.json`)."""
    return chalice_policy(stage, API)


def chalice_policy_files() -> Dict[Path, Dict[str, Any]]:
    """Every committed `.chalice/policy-*.json` and what it must contain."""
    return {CHALICE_DIR / policy_file_name(stage, f): chalice_policy(stage, f) for stage in STAGES for f in ALL_FUNCTIONS}


def main(argv) -> int:
    if argv == ["--policies"]:
        for path, document in chalice_policy_files().items():
            path.write_text(json.dumps(document, indent=2) + "\n")
        print(f"wrote {len(chalice_policy_files())} policy files in {CHALICE_DIR}")
        return 0
    if len(argv) != 1 or argv[0] not in STAGES:
        print(f"usage: python -m infra.resources {{{'|'.join(STAGES)}|--policies}}", file=sys.stderr)
        return 2
    out = Path(__file__).parent / "build" / argv[0]
    out.mkdir(parents=True, exist_ok=True)
    (out / "resources.json").write_text(json.dumps(render(argv[0]), indent=2))
    print(f"wrote {out}/resources.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
