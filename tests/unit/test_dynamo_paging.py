"""A list page from DynamoDB: the count without the items, then only the page's items, read from the nearer end.
Every window must equal what reading everything and slicing gives (domain/paging.py), at both ends, in the middle,
past the end, with server-side conditions; and the newest page of a long list must not read the whole list."""
from __future__ import annotations

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.paging import paginate
from chalicelib.domain.records import Kind, Record, Where

CTX = TenantContext("t1", "default")
N = 23


@pytest.fixture
def store(aws):
    from chalicelib.adapters.dynamodb.models import configure
    from chalicelib.adapters.dynamodb.store import DynamoRecordStore

    configure(aws.resolved_table_prefix, aws.aws_region, None)
    store = DynamoRecordStore()
    for n in range(N):
        store.create(CTX, Record(Kind.EXECUTION, f"e{n:04d}", {"status": "DEAD" if n % 3 else "COMPLETED"}))
    return store


def ids(page):
    return [record.id for record in page.items]


@pytest.mark.parametrize("skip,top", [(0, 5), (0, 50), (3, 4), (11, 1), (18, 5), (20, 5), (22, 1), (23, 5),
                                      (40, 5), (0, 0), (5, 0)])
@pytest.mark.parametrize("where", [(), (Where("status", "eq", "DEAD"),)])
def test_every_window_is_the_slice_of_the_whole_list(store, skip, top, where):
    expected = paginate(store.iterate(CTX, Kind.EXECUTION, where), None, skip, top)

    page = store.query(CTX, Kind.EXECUTION, where, None, skip, top)

    assert (page.count, ids(page)) == (expected.count, ids(expected))


def test_the_newest_page_reads_from_the_end(store, monkeypatch):
    from chalicelib.adapters.dynamodb.models import RecordModel

    read = []
    original = RecordModel.query.__func__

    def counting(cls, *args, **kwargs):
        for item in original(cls, *args, **kwargs):
            read.append(item.sk)
            yield item

    monkeypatch.setattr(RecordModel, "query", classmethod(counting))
    page = store.query(CTX, Kind.EXECUTION, (), None, N - 2, 2)

    assert ids(page) == ["e0021", "e0022"] and page.count == N
    assert len(read) == 2  # not the 21 before them
