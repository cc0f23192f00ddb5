"""The one error hierarchy. The API maps each class to a status code; nothing matches message text."""
from __future__ import annotations

from typing import Any, Optional


class DomainError(Exception):
    """Base class: `code` is the AI API's descriptive error code, `message` is for a person."""

    code = "InternalError"

    def __init__(self, message: str, *, target: Optional[str] = None, details: Optional[Any] = None):
        super().__init__(message)
        self.message = message
        self.target = target
        self.details = details


class InvalidInput(DomainError):
    code = "InvalidRequest"


class Unauthorized(DomainError):
    code = "Unauthorized"


class Forbidden(DomainError):
    code = "Forbidden"


class NotFound(DomainError):
    code = "NotFound"


class AlreadyExists(DomainError):
    code = "AlreadyExists"


class Conflict(DomainError):
    code = "Conflict"


class PreconditionFailed(DomainError):
    code = "PreconditionFailed"


class PayloadTooLarge(DomainError):
    code = "PayloadTooLarge"


class NotImplementedYet(DomainError):
    code = "NotImplemented"


class ServiceUnavailable(DomainError):
    code = "ServiceUnavailable"


class GatewayTimeout(DomainError):
    """A store or service behind us accepted the connection but did not answer in time."""

    code = "GatewayTimeout"
