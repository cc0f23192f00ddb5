"""What EKS's authenticator (aws-iam-authenticator) checks of a bearer token before it calls STS with it, so tests
can drive the stand-in with eks_token.py's real tokens: the `k8s-aws-v1.` prefix, base64url, an https URL on an
STS host, `Action=GetCallerIdentity`, `x-k8s-aws-id` among the signed headers, and the signature not yet expired
(X-Amz-Date + X-Amz-Expires, at most 15 minutes). The cluster header's value itself is not in the URL (it travels
as a header), so the cluster name is not checked here; the signature is not verified (no STS to ask)."""
from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from typing import Optional
from urllib.parse import parse_qs, urlparse

STS_HOST = re.compile(r"^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$")


def eks_token_problem(token: str, now: Optional[datetime] = None) -> Optional[str]:
    """None when the token is one EKS would take to STS, else why not."""
    if not token.startswith("k8s-aws-v1."):
        return "not a k8s-aws-v1 token"
    body = token[len("k8s-aws-v1."):]
    try:
        url = urlparse(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return "not base64url"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if url.scheme != "https" or not STS_HOST.match(url.netloc):
        return f"not an STS URL: {url.scheme}://{url.netloc}"
    if query.get("Action") != "GetCallerIdentity":
        return "not GetCallerIdentity"
    if "x-k8s-aws-id" not in query.get("X-Amz-SignedHeaders", "").split(";"):
        return "x-k8s-aws-id is not signed"
    try:
        signed = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        expires = min(int(query["X-Amz-Expires"]), 900)
    except (KeyError, ValueError):
        return "no X-Amz-Date/X-Amz-Expires"
    if (now or datetime.now(timezone.utc)) > signed + timedelta(seconds=expires):
        return "expired"
    return None
