"""Skip/top paging over a stream of records, counting every match (the AI API's list `count`)."""
from __future__ import annotations

from typing import Iterable, Optional

from .records import Page, Predicate, Record


def paginate(records: Iterable[Record], predicate: Optional[Predicate], skip: int, top: Optional[int]) -> Page:
    page = Page(count=0)
    for record in records:
        if predicate is not None and not predicate(record.doc):
            continue
        if page.count >= skip and (top is None or len(page.items) < top):
            page.items.append(record)
        page.count += 1
    return page
