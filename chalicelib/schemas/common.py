"""Wire-model basics: camelCase JSON via an alias generator, the list shape and the error body."""
from __future__ import annotations

from typing import Any, Generic, List, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")

# Patterns from the AI API contract, shared by several resources.
ID_PATTERN = r"^[\w.-]{4,64}$"
NAME_PATTERN = r"^[\w\s.!?,;:\[\](){}<>\"'=+*/\\^&%@~$#|-]*$"
EXT_LABEL_KEY = r"^ext\.ai\.sap\.com/[\w.-]+$"


class Wire(BaseModel):
    """Responses: camelCase on the wire, None fields left out.

    defer_build: a model's validator and serializer are built when first used, not at import, so a cold start
    builds only those of the routes it serves (about a hundred wire models are declared)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class Body(Wire):
    """Request bodies: extra keys tolerated, because the official clients and docs send some."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class StrictBody(Body):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Label(Body):
    key: str = Field(max_length=256, pattern=EXT_LABEL_KEY)
    value: str = Field(max_length=5000)


class ListResponse(Wire, Generic[T]):
    count: int
    resources: List[T]


class ListOf:
    """`route(response=ListOf(Model))`: a list answer of Model in /v2/openapi.json. ListResponse[Model] is a class of
    its own that pydantic builds; made here only when the document is built (or the route answers), not at import."""

    def __init__(self, model: type):
        self.model = model

    def resolve(self) -> type:
        return ListResponse[self.model]


class IdMessage(Wire):
    id: str
    message: str


class ErrorDetail(Wire):
    code: str
    message: str
    request_id: Optional[str] = None
    target: Optional[str] = None
    details: Optional[Any] = None


class ErrorBody(Wire):
    error: ErrorDetail
