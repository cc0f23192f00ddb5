"""The read side of metrics: which executions ($filter / executionIds), which parts ($select), tag filters."""
from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple
from urllib.parse import unquote

from ..errors import InvalidInput, NotImplementedYet
from ..ids import is_valid_id

MAX_EXECUTION_IDS = 10
MAX_TAG_FILTERS = 100
PARTS = ("metrics", "tags", "custom_info")
_SELECTABLE = {"metrics": "metrics", "tags": "tags", "custominfo": "custom_info"}

_QUOTED = r"'((?:[^']|'')*)'"  # OData string literal: '' is an escaped quote
_EQ = re.compile(rf"^\s*executionId\s+eq\s+{_QUOTED}\s*$", re.IGNORECASE)
_IN = re.compile(rf"^\s*executionId\s+in\s*\(\s*({_QUOTED}(?:\s*,\s*{_QUOTED})*)\s*\)\s*$", re.IGNORECASE)
_LITERAL = re.compile(_QUOTED)
SUPPORTED_FILTERS = "executionId eq 'id' or executionId in ('id1','id2')"


def parse_execution_filter(text: str) -> List[str]:
    """The execution ids a `$filter` names; NotImplementedYet for any expression beyond eq/in on executionId."""
    equal, listed = _EQ.match(text), _IN.match(text)
    if equal:
        literals = [equal.group(1)]
    elif listed:
        literals = _LITERAL.findall(listed.group(1))
    else:
        raise NotImplementedYet(f"$filter '{text}' is not supported: only {SUPPORTED_FILTERS} are implemented. "
                                "Prefer the executionIds parameter.", target="$filter")
    return check_execution_ids([raw.replace("''", "'") for raw in literals], "$filter")


def check_execution_ids(ids: Iterable[str], param: str = "executionIds") -> List[str]:
    unique: List[str] = []
    for value in ids:
        if not is_valid_id(value):
            raise InvalidInput(f"'{param}': execution id '{value}' must match ^[\\w.-]{{4,64}}$.", target=param)
        if value not in unique:
            unique.append(value)
    if len(unique) > MAX_EXECUTION_IDS:
        raise InvalidInput(f"'{param}' names {len(unique)} executions; at most {MAX_EXECUTION_IDS} are allowed.",
                           target=param)
    return unique


def select_parts(values: Iterable[str]) -> FrozenSet[str]:
    """`$select` entries -> the document parts to return; none or `*` means all of them."""
    chosen = set()
    for value in values:
        key = value.strip()
        if key == "*":
            return frozenset(PARTS)
        part = _SELECTABLE.get(key.lower())
        if part is None:
            raise InvalidInput(f"'$select' value '{key}' is not one of metrics, tags, customInfo, *.",
                               target="$select")
        chosen.add(part)
    return frozenset(chosen or PARTS)


class TagFilters:
    """`name=value`, `name!=value` or just `name` (the tag exists), comma separated, all must hold.

    A name or value containing ',', '=' or '!' must be percent-encoded in the value the server sees
    (so twice on the URL, as the spec's example shows); each part is percent-decoded after splitting.
    `name!=value` also holds when the execution has no tag of that name.
    """

    def __init__(self, text: Optional[str]):
        self.terms: List[Tuple[str, Optional[str], Optional[str]]] = []  # (name, "=" | "!=" | None, value)
        for raw in (text or "").split(","):
            term = raw.strip()
            if not term:
                continue
            name, op, value = _split_term(term)
            if not name:
                raise InvalidInput(f"'tagFilters' entry '{term}' has no tag name; use name=value, name!=value "
                                   "or name.", target="tagFilters")
            self.terms.append((name, op, value))
        if len(self.terms) > MAX_TAG_FILTERS:
            raise InvalidInput(f"'tagFilters' takes at most {MAX_TAG_FILTERS} entries.", target="tagFilters")

    def matches(self, tags: Iterable[Dict[str, str]]) -> bool:
        values = {tag["name"]: tag["value"] for tag in tags}
        for name, op, value in self.terms:
            if op is None and name not in values:
                return False
            if op == "=" and values.get(name) != value:
                return False
            if op == "!=" and values.get(name) == value:
                return False
        return True


def _split_term(term: str) -> Tuple[str, Optional[str], Optional[str]]:
    at = term.find("=")
    if at < 0:
        return unquote(term), None, None
    negated = at > 0 and term[at - 1] == "!"
    name = term[: at - 1] if negated else term[:at]
    return unquote(name.strip()), "!=" if negated else "=", unquote(term[at + 1 :].strip())
