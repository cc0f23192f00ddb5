"""List filters shared by the /lm resources: storage-side conditions where possible, Python checks otherwise."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Generic, Iterable, List, Optional, Sequence, TypeVar

from .errors import InvalidInput
from .ids import is_valid_id
from .records import Predicate, Where

T = TypeVar("T")
# DynamoDB accepts at most 100 operands in an IN condition; longer lists are checked in Python.
MAX_IN_OPERANDS = 100
SEARCH_MAX = 80


@dataclass
class Listing(Generic[T]):
    """One page of entities plus the number of all matches (the AI API list `count`)."""

    count: int
    items: List[T] = field(default_factory=list)


class Filter:
    def __init__(self) -> None:
        self.where: List[Where] = []
        self._checks: List[Predicate] = []

    def eq(self, name: str, value: Any) -> "Filter":
        if value is not None:
            self.where.append(Where(name, "eq", value))
        return self

    def one_of(self, name: str, values: Sequence[str]) -> "Filter":
        if not values:
            return self
        if len(values) <= MAX_IN_OPERANDS:
            self.where.append(Where(name, "in", list(values)))
        else:
            wanted = set(values)
            self._checks.append(lambda doc: doc.get(name) in wanted)
        return self

    def check(self, predicate: Optional[Predicate]) -> "Filter":
        if predicate is not None:
            self._checks.append(predicate)
        return self

    @property
    def predicate(self) -> Optional[Predicate]:
        checks = list(self._checks)
        if not checks:
            return None
        return lambda doc: all(check(doc) for check in checks)


def search_predicate(text: Optional[str], case_insensitive: bool, fields: Iterable[str]) -> Optional[Predicate]:
    """`$search`: a substring of any of the fields (spec pattern ^[^~]{1,80}$)."""
    if text is None:
        return None
    if not 1 <= len(text) <= SEARCH_MAX or "~" in text:
        raise InvalidInput(f"'$search' must be 1-{SEARCH_MAX} characters without '~', got '{text[:100]}'.",
                           target="$search")
    names = tuple(fields)
    needle = text.lower() if case_insensitive else text

    def matches(doc: Dict[str, Any]) -> bool:
        for name in names:
            hay = doc.get(name) or ""
            if needle in (hay.lower() if case_insensitive else hay):
                return True
        return False

    return matches


def valid_ids(values: Iterable[str], param: str) -> List[str]:
    values = list(values)
    for value in values:
        if not is_valid_id(value):
            raise InvalidInput(f"'{param}' entry '{value[:100]}' must match ^[\\w.-]{{4,64}}$.", target=param)
    return values

