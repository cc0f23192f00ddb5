"""Key/value labels and the `k=v,k!=v` selectors the AI API filters with (AND semantics)."""
from __future__ import annotations

import re
from typing import Iterable, List, Tuple

from .entity import Value
from .errors import InvalidInput

SELECTOR = re.compile(r"^(?P<key>[^=!\s]+)\s*(?P<op>!=|=)\s*(?P<value>.*)$")


class KeyValue(Value):
    key: str
    value: str


class LabelSelector:
    def __init__(self, terms: Iterable[str] = (), *, max_terms: int = 10, param: str = "labelSelector"):
        self.terms: List[Tuple[str, bool, str]] = []
        for term in terms:
            match = SELECTOR.match(term.strip())
            if not match:
                raise InvalidInput(f"'{param}' entry '{term}' must be key=value or key!=value.", target=param)
            self.terms.append((match["key"], match["op"] == "=", match["value"]))
        if len(self.terms) > max_terms:
            raise InvalidInput(f"'{param}' takes at most {max_terms} entries.", target=param)

    def matches(self, labels: Iterable) -> bool:
        values = {}
        for label in labels:
            key = label["key"] if isinstance(label, dict) else label.key
            values[key] = label["value"] if isinstance(label, dict) else label.value
        for key, equal, value in self.terms:
            if (values.get(key) == value) != equal:
                return False
        return True
