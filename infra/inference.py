"""The inference path of a stage: `{api}/v2/inference/deployments/{deploymentId}/{proxy+}` straight to the cluster.

Why this shape: a predictor's requests and answers must not pass through a Lambda function (6 MB payload limit, no
streaming, a second cold start in the data path). So the route is an HTTP_PROXY integration over a REST API VPC
link to the internal Network Load Balancer in front of the cluster's ingress gateway (Istio, as KServe installs
it), with response streaming (`responseTransferMode: STREAM`, up to 15 minutes; requests stay within API
Gateway's 10 MB). Who may call which deployment is decided per request by the `inference_authorizer` function
(adapters/aws/inference_authorizer.py, the same rules as the local proxy); it names the InferenceService's virtual
host, which the integration sends as the Host header so the ingress routes to that deployment. The authorizer's
answer is not cached (TTL 0): it depends on the deployment id in the path, which API Gateway cannot key a cache on.

A refusal is API Gateway's ACCESS_DENIED (403) with the AI API error body taken from the authorizer's context; a
missing or bad token is UNAUTHORIZED (401).
"""
from __future__ import annotations

from typing import Any, Dict

from .functions import INFERENCE_AUTHORIZER

ROUTE = "/v2/inference/deployments/{deploymentId}/{proxy+}"
AUTHORIZER = "InferenceAuthorizer"

PARAMETERS: Dict[str, Dict[str, Any]] = {
    "IngressNlbArn": {"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:elasticloadbalancing:.+$",
                      "Description": "Internal Network Load Balancer in front of the cluster's ingress gateway "
                                     "(the VPC link's target)"},
    "IngressNlbDns": {"Type": "String", "Description": "DNS name of that load balancer"},
    "IngressDomain": {"Type": "String", "Default": "example.com",
                      "Description": "KServe's ingressDomain (inferenceservice-config)"},
    "IngressDomainTemplate": {"Type": "String", "Default": "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}",
                              "Description": "KServe's ingress.domainTemplate (inferenceservice-config)"},
}


def _error_body(code: str, message: str) -> str:
    return ('{"error": {"code": "%s", "message": "%s", "requestId": "$context.requestId", '
            '"target": "$context.path"}}' % (code, message))


def definition_body() -> Dict[str, Any]:
    """Merged into Chalice's swagger (`RestAPI.Properties.DefinitionBody`)."""
    integration = {
        "type": "http_proxy", "httpMethod": "ANY", "connectionType": "VPC_LINK",
        "connectionId": {"Ref": "InferenceVpcLink"},
        "uri": {"Fn::Sub": "http://${IngressNlbDns}/{proxy}"},
        "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy",
                              "integration.request.header.Host": "context.authorizer.host"},
        "passthroughBehavior": "when_no_match",
        "responseTransferMode": "STREAM",
        "timeoutInMillis": 900000,  # streaming allows up to 15 minutes
    }
    return {
        "paths": {ROUTE: {"x-amazon-apigateway-any-method": {
            "parameters": [{"name": "deploymentId", "in": "path", "required": True, "type": "string"},
                           {"name": "proxy", "in": "path", "required": True, "type": "string"}],
            "responses": {},
            "security": [{AUTHORIZER: []}],
            "x-amazon-apigateway-integration": integration,
        }}},
        "securityDefinitions": {AUTHORIZER: {
            "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {
                "type": "request",
                # No identitySource: with TTL 0 the authorizer runs for every request, also one without the
                # AI-Resource-Group header, and answers it with the AI API's message.
                "authorizerResultTtlInSeconds": 0,
                "authorizerUri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
                                             f"2015-03-31/functions/${{{INFERENCE_AUTHORIZER.logical_id}.Arn}}"
                                             "/invocations"},
            },
        }},
        "x-amazon-apigateway-gateway-responses": {
            "ACCESS_DENIED": {"statusCode": 403, "responseTemplates": {"application/json": _error_body(
                "$context.authorizer.code", "$context.authorizer.message")}},
            "UNAUTHORIZED": {"statusCode": 401, "responseTemplates": {"application/json": _error_body(
                "Unauthorized", "A valid bearer token is required.")}},
        },
    }


def resources() -> Dict[str, Any]:
    return {
        "InferenceVpcLink": {"Type": "AWS::ApiGateway::VpcLink",
                             "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-ingress"},
                                            "TargetArns": [{"Ref": "IngressNlbArn"}]}},
        "InferenceAuthorizerInvokePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Ref": INFERENCE_AUTHORIZER.logical_id},
                           "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
                           "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                                                    "${AWS::AccountId}:${RestAPI}/authorizers/*"}}},
    }
