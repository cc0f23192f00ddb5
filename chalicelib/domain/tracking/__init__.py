"""The tracking context: metrics, tags and custom info of executions, and the credentials runs write them with.

- metrics.py: one write's rules (parse, merge, who may write) and the merged view of an execution.
- service.py: MetricsService: writes as append-only batches, reads by merging them, deletes.
- query.py: the read side's parameters ($filter, executionIds, $select, tagFilters).
- credentials.py: the HMAC credential a run gets (AICORE_TRACKING_ENDPOINT, AICORE_AUTH_TOKEN).
"""
from .credentials import RUN_TOKEN_PREFIX, TRACKING_PREFIX, TrackingCredentials, TrackingGrant

__all__ = ["RUN_TOKEN_PREFIX", "TRACKING_PREFIX", "TrackingCredentials", "TrackingGrant"]
