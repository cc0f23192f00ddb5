"""PynamoDB models. Only this package knows them; repositories hand out domain records."""
from __future__ import annotations

from pynamodb.attributes import MapAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class WorkIndex(GlobalSecondaryIndex):
    """Cross-tenant index for background work (due schedules, applications to poll)."""

    class Meta:
        index_name = "work"
        projection = AllProjection()

    work_pk = UnicodeAttribute(hash_key=True)
    work_sk = UnicodeAttribute(range_key=True)


class RecordModel(Model):
    """One table for every aggregate: pk = tenant[/resource group], sk = KIND#id."""

    class Meta:
        table_name = "aicore-dev-records"  # replaced by configure() from settings
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenant = UnicodeAttribute()
    resource_group = UnicodeAttribute(null=True)
    doc = MapAttribute(default=dict)
    version = VersionAttribute()
    work_pk = UnicodeAttribute(null=True)
    work_sk = UnicodeAttribute(null=True)
    work = WorkIndex()


ALL_MODELS = (RecordModel,)
TABLE_BASENAMES = {RecordModel: "records"}


def configure(table_prefix: str, region: str, endpoint_url: str | None) -> None:
    """Point every model at this stage's tables and at AWS or the embedded emulator."""
    for model, basename in TABLE_BASENAMES.items():
        model.Meta.table_name = f"{table_prefix}{basename}"
        model.Meta.region = region
        model.Meta.host = endpoint_url
        model._connection = None  # PynamoDB caches the connection with the old host


def create_tables() -> None:
    """Create missing tables from the same model definitions production uses (local stack, tests)."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
