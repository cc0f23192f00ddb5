"""The bearer token EKS accepts, as `aws eks get-token` makes it, without the kubernetes client (the API function
reads running pods' logs with it: pod_log_reader.py, and must not import kubernetes on its cold start path).

The token is `k8s-aws-v1.` + base64url (no padding) of a presigned STS GetCallerIdentity URL whose signature covers
the header `x-k8s-aws-id: <cluster name>`; the cluster's authenticator calls that URL and maps the caller's IAM
role to a Kubernetes identity (the aws-auth ConfigMap or an access entry). The presigned URL is valid 60 seconds
(X-Amz-Expires=60); EKS itself accepts a token for 15 minutes after signing, we renew well before either matters.
"""
from __future__ import annotations

import base64
import threading
import time
from typing import Optional

import boto3
from botocore.signers import RequestSigner

PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
URL_EXPIRES = 60
RENEW_AFTER = 45.0  # seconds: a token handed out is always younger than its 60 s URL expiry minus a request


def presigned_identity_url(session: boto3.session.Session, cluster_name: str, region: str) -> str:
    sts = session.client("sts", region_name=region)
    signer = RequestSigner(sts.meta.service_model.service_id, region, "sts", "v4", session.get_credentials(),
                           session.events)
    request = {"method": "GET", "url": f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
               "body": {}, "headers": {CLUSTER_HEADER: cluster_name}, "context": {}}
    return signer.generate_presigned_url(request, region_name=region, expires_in=URL_EXPIRES, operation_name="")


def token_for(session: boto3.session.Session, cluster_name: str, region: str) -> str:
    url = presigned_identity_url(session, cluster_name, region)
    return PREFIX + base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def engine_session(role_arn: Optional[str], region: str, session_name: str = "aicore-engine"
                   ) -> boto3.session.Session:
    """The function's own credentials, or the engine role's (the one the cluster maps to the engine) when given."""
    base = boto3.session.Session(region_name=region)
    if not role_arn:
        return base
    creds = base.client("sts", region_name=region).assume_role(
        RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=region)


class EksToken:
    """A token source that renews itself: `.get()` is cheap and always returns a token EKS still accepts.
    The assumed role's session lasts an hour; it is assumed again when its credentials near their end."""

    def __init__(self, cluster_name: str, region: str, role_arn: Optional[str] = None, clock=time.monotonic):
        self.cluster_name, self.region, self.role_arn, self.clock = cluster_name, region, role_arn, clock
        self._lock = threading.Lock()
        self._token: Optional[str] = None
        self._made = 0.0
        self._session: Optional[boto3.session.Session] = None
        self._session_made = 0.0

    def get(self) -> str:
        with self._lock:
            now = self.clock()
            if self._session is None or (self.role_arn and now - self._session_made > 45 * 60):
                self._session, self._session_made = engine_session(self.role_arn, self.region), now
            if self._token is None or now - self._made > RENEW_AFTER:
                self._token, self._made = token_for(self._session, self.cluster_name, self.region), now
            return self._token
