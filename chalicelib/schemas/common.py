"""Wire-model basics: camelCase JSON via an alias generator, the list shape and the error body."""
from __future__ import annotations

import re
from typing import Any, ClassVar, Dict, Generic, List, Optional, Tuple, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")

# Patterns from the AI API contract, shared by several resources.
ID_PATTERN = r"^[\w.-]{4,64}$"
NAME_PATTERN = r"^[\w\s.!?,;:\[\](){}<>\"'=+*/\\^&%@~$#|-]*$"
EXT_LABEL_KEY = r"^ext\.ai\.sap\.com/[\w.-]+$"


def anchored(pattern: Union[str, "re.Pattern[str]"]) -> str:
    """A domain regex as a JSON Schema pattern: JSON Schema's `pattern` searches, the domain fullmatches."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    return "^(?:" + text.removeprefix("^").removesuffix("$") + ")$"


def stated(pattern: Union[str, "re.Pattern[str]", None] = None, **schema: Any) -> Dict[str, Any]:
    """`Field(json_schema_extra=stated(...))`: a rule the domain checks (with its own message, so pydantic does not
    check it first), stated in /v2/openapi.json from the domain's own constant."""
    if pattern is not None:
        schema["pattern"] = anchored(pattern)
    return schema


class Wire(BaseModel):
    """Responses: camelCase on the wire, None fields left out.

    defer_build: a model's validator and serializer are built when first used, not at import, so a cold start
    builds only those of the routes it serves (about a hundred wire models are declared)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def _request_schema(schema: Dict[str, Any], cls: Any) -> None:
    """A request body's JSON schema: an optional field is left out, not sent as null (the domain reads null as
    missing, or refuses it), unless the model names it in NULLABLE; the model's SCHEMA_EXTRA (rules across
    fields, such as "one of these two") is added."""
    nullable = {to_camel(name) for name in getattr(cls, "NULLABLE", ())}
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf")
        if name in nullable or not branches or {"type": "null"} not in branches:
            continue
        rest = [branch for branch in branches if branch != {"type": "null"}]
        prop.pop("anyOf")
        if prop.get("default", 0) is None:
            prop.pop("default")
        if len(rest) == 1:
            prop.update({**rest[0], **prop})
        else:
            prop["anyOf"] = rest
    schema.update(getattr(cls, "SCHEMA_EXTRA", {}))


class Body(Wire):
    """Request bodies: extra keys tolerated, because the official clients and docs send some."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore",
                              json_schema_extra=_request_schema)
    NULLABLE: ClassVar[Tuple[str, ...]] = ()  # optional fields whose null means something (documented as such)
    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {}


class StrictBody(Body):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              json_schema_extra=_request_schema)


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
