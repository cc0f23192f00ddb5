"""Configuration, read once from the environment (nothing else in the code reads os.environ).

Plain pydantic, not pydantic-settings: that package costs ~100 ms of imports (asyncio, dotenv, argparse, its source
providers) on every Lambda cold start for the one thing used here, reading AICORE_* variables. `_from_environment`
does that part the way pydantic-settings did: `AICORE_<FIELD>` (or the field's alias) matched without regard to case,
JSON for dict/list/model fields, the values then validated by the model like keyword arguments, which win over the
environment. Fields stay plain annotated class attributes.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence, Set
from functools import lru_cache
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Optional, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

ENV_PREFIX = "AICORE_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, validate_default=True,
                              arbitrary_types_allowed=True, defer_build=True)

    def __init__(self, **values: Any):
        super().__init__(**{**_from_environment(type(self)), **values})

    stage: Literal["dev", "tst", "prd"] = "dev"
    home: Path = Path(".aicore")
    host: str = "127.0.0.1"
    port: int = 8000
    # Public base URL of the API (no /v2); deploymentUrl and service keys are built from it.
    public_url: Optional[str] = None

    # AWS: an endpoint URL points boto3/PynamoDB at the embedded emulator; None means real AWS.
    aws_endpoint_url: Optional[str] = None
    aws_region: str = Field(default="eu-central-1")
    table_prefix: Optional[str] = None
    artifacts_bucket: Optional[str] = None
    # Embedded stack: object-store secrets naming a bucket but no endpoint live in the embedded store (confined to
    # their tenant and group) unless this is true; then they reach AWS S3 with their own keys.
    object_store_real_s3: bool = False

    # Auth: "local" verifies tokens signed by the local token endpoint's key; "oidc" uses a JWKS.
    auth_mode: Literal["local", "oidc"] = "local"
    oidc_issuer: Optional[str] = None
    oidc_jwks_url: Optional[str] = None
    oidc_audience: Optional[str] = None
    tenant_claim: str = "zid"
    token_ttl_seconds: int = 43200
    # The web app's sign-in with OIDC (authorization code + PKCE): a public client of the issuer, and its scopes.
    webapp_oidc_client_id: Optional[str] = None
    webapp_oidc_scope: str = "openid"

    # Secrets at rest: a Fernet key (urlsafe base64, 32 bytes). Locally kept under home.
    secrets_key: Optional[str] = None

    git_poll_seconds: float = 60.0
    # Git sync: file:// URLs, local paths and loopback http:// repositories. Unset: allowed only with local auth
    # (a laptop); a deployed stage (oidc) accepts public https:// repositories only.
    git_allow_local: Optional[bool] = None
    git_cache_dir: Optional[Path] = None  # bare clones per tenant and URL; default <home>/git-cache
    ticker_seconds: float = 1.0
    max_body_bytes: int = 1_048_576
    max_dataset_file_bytes: int = 104_857_600
    # Schedules: crons firing more often are refused (AI Core: 3600); "* * * * *" (run always) is exempt.
    schedule_min_interval_seconds: int = 60
    # Metrics: the largest request body (413 beyond) and stored item of one write (DynamoDB's limit: 400 KB);
    # a write that grows past it once stored (timestamps added) is split into several items stored together.
    metrics_max_document_bytes: int = 300_000
    # Local deployments: how long a predictor may take to answer HTTP before the deployment is DEAD, and how long
    # an old predictor may finish requests in flight after a configuration switch.
    predictor_ready_seconds: float = 120.0
    predictor_drain_seconds: float = 10.0

    # -- AWS orchestration (issue 8): Step Functions drive runs on an EKS cluster ----------------------------------
    # "idle": runs wait in PENDING (no engine); "stepfunctions": the three state machines (infra/statemachines/).
    engine: Literal["idle", "stepfunctions"] = "idle"
    execution_state_machine_arn: Optional[str] = None
    deployment_state_machine_arn: Optional[str] = None
    control_state_machine_arn: Optional[str] = None
    # Polls one state-machine execution makes before it continues as a new one (history stays under 25,000 events).
    sfn_polls_per_execution: int = 1000
    # Seconds between two polls of a run on the cluster (the Wait states' seconds): while it is pending (and after
    # submit), while an execution runs, while a deployment serves. Tests set them to 0.
    cluster_poll_pending_seconds: int = 10
    cluster_poll_running_seconds: int = 20
    cluster_poll_serving_seconds: int = 60
    # The most a rendered manifest may weigh in the state machine's state (Step Functions refuses more than 256 KB
    # of state with an error no Catch handles).
    cluster_max_manifest_bytes: int = 200_000
    # Pods' logs once the pods are gone: JSON lines under this prefix of the artifacts bucket.
    log_archive_prefix: str = "logs/"
    # The EKS cluster the cluster_task function drives (stack parameters), and the role the cluster maps to the engine.
    eks_cluster_name: Optional[str] = None
    eks_endpoint: Optional[str] = None
    eks_ca_data: Optional[str] = None  # base64 PEM, as `aws eks describe-cluster` gives certificateAuthority.data
    eks_role_arn: Optional[str] = None
    # The IAM role workflow and predictor pods reach S3 with (IRSA on each namespace's aicore-workload account).
    eks_workload_role_arn: Optional[str] = None
    # The host KServe serves an InferenceService under: its ingress.domainTemplate and ingressDomain, as configured in
    # the cluster's inferenceservice-config (the inference path's authorizer names that host to the ingress).
    ingress_domain: str = "example.com"
    ingress_domain_template: str = "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}"

    # -- Keys on AWS (issue 8): KMS instead of key material in the environment ------------------------------------
    # Secret data is sealed by envelope encryption under this KMS key (adapters/aws/kms_cipher.py) when it is set.
    kms_key_id: Optional[str] = None
    # Run credentials are signed with the MAC of a fixed message under this KMS HMAC key when it is set.
    tracking_mac_key_id: Optional[str] = None

    @property
    def resolved_table_prefix(self) -> str:
        return self.table_prefix or f"aicore-{self.stage}-"

    @property
    def resolved_bucket(self) -> str:
        return self.artifacts_bucket or f"aicore-{self.stage}-artifacts"

    @property
    def secret_buckets_in_platform_store(self) -> bool:
        return self.aws_endpoint_url is not None and not self.object_store_real_s3

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def local_issuer(self) -> str:
        return self.base_url

    @property
    def git_allows_local(self) -> bool:
        return self.git_allow_local if self.git_allow_local is not None else self.auth_mode == "local"

    @property
    def resolved_git_cache_dir(self) -> Path:
        return self.git_cache_dir or self.home / "git-cache"

    @property
    def deployments_dir(self) -> Path:
        return self.home / "deployments"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def service_keys_dir(self) -> Path:
        return self.home / "service-keys"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def _from_environment(model: type[BaseModel]) -> dict[str, Any]:
    """The AICORE_* variables (and aliased names) that name a field, keyed by field name."""
    environ = {name.lower(): value for name, value in os.environ.items()}
    found: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        for env_name in _env_names(name, field):
            if env_name in environ:
                raw = environ[env_name]
                found[name] = _decode_json(env_name, raw) if _is_complex(field.annotation) else raw
                break
    return found


def _env_names(name: str, field: Any) -> list[str]:
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return [alias.lower()]
    if isinstance(alias, AliasChoices):
        return [choice.lower() for choice in alias.choices if isinstance(choice, str)]
    return [f"{ENV_PREFIX}{name}".lower()]


def _is_complex(annotation: Any) -> bool:
    """dict, list, set, tuple or model fields come as JSON text, as pydantic-settings read them."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return any(_is_complex(arg) for arg in get_args(annotation) if arg is not type(None))
    kind = origin or annotation
    if not isinstance(kind, type) or issubclass(kind, (str, bytes)):
        return False
    return issubclass(kind, (BaseModel, Mapping, Sequence, Set, tuple))


def _decode_json(env_name: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as err:
        raise ValueError(f"{env_name.upper()} must be JSON for this setting: {err}") from None
