"""What a view needs from a request: tenant context, tolerant query parsing, validated bodies.

The Python clients send `top`/`skip`/`order`/`start`/`end` without `$`, arrays as one comma-joined value and
booleans as `True`/`False`; the JS/Java clients follow the spec (`$top`, repeated parameters). Both work.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Optional, Type, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.ids import is_valid_id

from .errors import validation_message

M = TypeVar("M", bound=BaseModel)

JSON_TYPES = ("application/json", "application/merge-patch+json", "text/json")
# No AI API body nests past ~6 levels, and DynamoDB stores documents at most 32 deep. Python's parser would
# stop near 1,000 with a RecursionError (a 500); every later walk over the value would risk the same.
MAX_JSON_DEPTH = 32
# Query limits; parameters.py states the same numbers in /v2/openapi.json.
QUERY_TEXT_MAX = 5000
MAX_TOP = 100000
METRICS_MAX_TOP = 10000
MAX_LIST_ITEMS = 1000


class ApiRequest:
    def __init__(self, chalice_request: Any, ctx: TenantContext, request_id: str, max_body_bytes: int):
        self.raw = chalice_request
        self.ctx = ctx
        self.request_id = request_id
        self.path = chalice_request.context.get("path") or ""
        self._max_body = max_body_bytes
        params = chalice_request.query_params
        self._query: Dict[str, List[str]] = {k: list(params.getlist(k)) for k in params} if params else {}

    # -- headers -------------------------------------------------------------------------------
    def header(self, name: str) -> Optional[str]:
        return self.raw.headers.get(name.lower())

    # -- query ---------------------------------------------------------------------------------
    def _values(self, name: str) -> List[str]:
        bare = name.lstrip("$")
        return self._query.get(f"${bare}", []) + self._query.get(bare, [])

    def text(self, name: str, *, max_length: int = QUERY_TEXT_MAX) -> Optional[str]:
        values = self._values(name)
        if not values:
            return None
        value = values[-1]
        if len(value) > max_length:
            raise InvalidInput(f"Query parameter '{name}' is longer than {max_length} characters.", target=name)
        return value

    def id_param(self, name: str) -> Optional[str]:
        value = self.text(name)
        if value is not None and not is_valid_id(value):
            raise InvalidInput(f"Query parameter '{name}' must match ^[\\w.-]{{4,64}}$, got '{value}'.", target=name)
        return value

    def list_param(self, name: str, *, max_items: int = MAX_LIST_ITEMS) -> List[str]:
        items: List[str] = []
        for value in self._values(name):
            items.extend(part.strip() for part in value.split(",") if part.strip())
        if len(items) > max_items:
            raise InvalidInput(f"Query parameter '{name}' takes at most {max_items} values.", target=name)
        return items

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise InvalidInput(f"Query parameter '{name}' must be true or false, got '{value}'.", target=name)

    def integer(self, name: str, default: Optional[int], *, minimum: int = 0, maximum: Optional[int] = None) -> Optional[int]:
        value = self.text(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise InvalidInput(f"Query parameter '{name}' must be an integer, got '{value}'.", target=name) from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise InvalidInput(f"Query parameter '{name}' must be {bound}, got {number}.", target=name)
        return number

    def timestamp(self, name: str) -> Optional[datetime]:
        value = self.text(name)
        return parse_timestamp(value, name) if value else None

    def paging(self, default_top: Optional[int] = 10000, max_top: int = MAX_TOP) -> tuple:
        return self.integer("$skip", 0) or 0, self.integer("$top", default_top, maximum=max_top)

    def admin_count(self, total: int, shown: int) -> int:
        """Admin lists: `$count=true` reports all matches on the server, otherwise (the default) the page size."""
        return total if self.flag("$count", False) else shown

    # -- body ----------------------------------------------------------------------------------
    def raw_body(self) -> bytes:
        body = self.raw.raw_body or b""
        if isinstance(body, str):
            body = body.encode()
        return body

    def json(self, optional: bool = False) -> Any:
        body = self.raw_body()
        if len(body) > self._max_body:
            raise PayloadTooLarge(f"Request body is larger than {self._max_body} bytes.")
        if not body.strip():
            if optional:
                return None
            raise InvalidInput("Request body is missing: send a JSON object.")
        content_type = (self.header("content-type") or "application/json").split(";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            raise InvalidInput(f"Content-Type must be application/json, got '{content_type}'.")
        return parse_json(body)

    def body(self, model: Type[M], optional: bool = False) -> M:
        data = self.json(optional=optional)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InvalidInput("Request body must be a JSON object.")
        try:
            return model.model_validate(data)
        except ValidationError as err:
            raise InvalidInput(validation_message(err)) from None


def parse_json(body: bytes) -> Any:
    too_deep = InvalidInput(f"Request body is JSON nested deeper than {MAX_JSON_DEPTH} levels.")
    try:
        data = json.loads(body)
    except RecursionError:
        raise too_deep from None
    except UnicodeDecodeError as err:
        raise InvalidInput(f"Request body is not UTF-8 text: {err}.") from None
    except ValueError as err:
        raise InvalidInput(f"Request body is not valid JSON: {err}.") from None
    if _deeper_than(data, MAX_JSON_DEPTH):
        raise too_deep
    return data


def _deeper_than(value: Any, limit: int) -> bool:
    """Without recursion, so a value at the parser's own limit cannot exhaust the stack here either."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
