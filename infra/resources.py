"""Per-stage AWS resources, rendered from the same definitions the code uses.

`python -m infra.resources STAGE` writes infra/build/STAGE/: `resources.json`, a CloudFormation fragment for
`chalice package --merge-template` (the DynamoDB tables from the PynamoDB models, the artifacts bucket, the key
that encrypts secret data), and `policy.json`, the Lambda role policy (Chalice cannot infer PynamoDB calls).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict

from chalicelib.adapters.dynamodb.models import ALL_MODELS, TABLE_BASENAMES
from chalicelib.settings import Settings

STAGES = ("dev", "tst", "prd")


def _logical_id(basename: str) -> str:
    return "".join(part.capitalize() for part in basename.replace("_", "-").split("-")) + "Table"


def table_resource(model, table_name: str, stage: str) -> Dict[str, Any]:
    schema = model._get_schema()
    props: Dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": schema["key_schema"],
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": stage == "prd"},
    }
    if schema["global_secondary_indexes"]:
        props["GlobalSecondaryIndexes"] = [
            {"IndexName": gsi["index_name"], "KeySchema": gsi["key_schema"], "Projection": gsi["projection"]}
            for gsi in schema["global_secondary_indexes"]
        ]
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain" if stage == "prd" else "Delete",
            "Properties": props}


def render(stage: str) -> Dict[str, Any]:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    settings = Settings(stage=stage)
    resources: Dict[str, Any] = {}
    for model in ALL_MODELS:
        basename = TABLE_BASENAMES[model]
        resources[_logical_id(basename)] = table_resource(
            model, f"{settings.resolved_table_prefix}{basename}", stage)
    resources["ArtifactsBucket"] = {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain" if stage == "prd" else "Delete",
        "Properties": {
            "BucketName": settings.resolved_bucket,
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        },
    }
    return {"Resources": resources}


def policy(stage: str) -> Dict[str, Any]:
    settings = Settings(stage=stage)
    tables = [f"arn:aws:dynamodb:*:*:table/{settings.resolved_table_prefix}{TABLE_BASENAMES[m]}" for m in ALL_MODELS]
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                       "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:DescribeTable"],
         "Resource": tables + [t + "/index/*" for t in tables]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{settings.resolved_bucket}", f"arn:aws:s3:::{settings.resolved_bucket}/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:*:*:*"},
    ]}


def main(argv) -> int:
    if len(argv) != 1 or argv[0] not in STAGES:
        print(f"usage: python -m infra.resources {{{'|'.join(STAGES)}}}", file=sys.stderr)
        return 2
    out = Path(__file__).parent / "build" / argv[0]
    out.mkdir(parents=True, exist_ok=True)
    (out / "resources.json").write_text(json.dumps(render(argv[0]), indent=2))
    (out / "policy.json").write_text(json.dumps(policy(argv[0]), indent=2))
    print(f"wrote {out}/resources.json and policy.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
