"""Who is calling: the verified identity a token carries. Verification itself is an adapter."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, Optional, Protocol


@dataclass(frozen=True)
class Principal:
    tenant: str
    client_id: Optional[str] = None
    # Narrow grants (for example a run's tracking credential may only write one execution's metrics).
    scopes: FrozenSet[str] = field(default_factory=frozenset)
    # Set when the credential itself names the resource group (a run's): the request cannot choose another.
    resource_group: Optional[str] = None

    @property
    def is_restricted(self) -> bool:
        return bool(self.scopes)


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal:
        """Return the caller, or raise Unauthorized with a reason a person can act on."""
