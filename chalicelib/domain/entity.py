"""Base for domain entities: plain pydantic models (snake_case) that round-trip through storage docs."""
from __future__ import annotations

from typing import Any, Dict, Type, TypeVar

from pydantic import BaseModel, ConfigDict

from .records import Kind, Record

E = TypeVar("E", bound="Entity")


class Value(BaseModel):
    """Plain values nested in entities and requests. defer_build: the validator is built on first use, not at import
    (the API function's cold start imports every route's models)."""

    model_config = ConfigDict(defer_build=True)


class Entity(BaseModel):
    # defer_build: validators are built on first use, not at import (cold start of the API function).
    model_config = ConfigDict(extra="ignore", validate_assignment=False, defer_build=True)

    KIND: Kind  # set by each subclass (class attribute, not a field)

    def to_doc(self) -> Dict[str, Any]:
        return self.model_dump(mode="json")

    def to_record(self, id: str, version: int | None = None, **index: Any) -> Record:
        return Record(kind=self.KIND, id=id, doc=self.to_doc(), version=version, **index)

    @classmethod
    def from_record(cls: Type[E], record: Record) -> E:
        entity = cls.model_validate(record.doc)
        object.__setattr__(entity, "_version", record.version)
        return entity

    @property
    def stored_version(self) -> int | None:
        return getattr(self, "_version", None)
