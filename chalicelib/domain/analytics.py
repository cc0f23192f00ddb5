"""KPIs: how many executions, artifacts and deployments each resource group, scenario and executable has.

Artifacts carry no executable of their own: an execution's outputs count for that execution's executable, any
other artifact counts under its scenario with an empty executable.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Tuple

from .context import TenantContext
from .errors import InvalidInput
from .records import Kind, RecordStore

DIMENSIONS = ("ResourceGroup", "Scenario", "Executable")
MEASURES = ("Executions", "Artifacts", "Deployments")
COLUMNS = DIMENSIONS + MEASURES


def select_columns(requested: Iterable[str]) -> List[str]:
    wanted = [c.strip() for c in requested if c.strip()]
    if not wanted:
        return list(COLUMNS)
    unknown = [c for c in wanted if c not in COLUMNS]
    if unknown:
        raise InvalidInput(f"Unknown KPI column(s) {', '.join(unknown)}; choose from {', '.join(COLUMNS)}.",
                           target="$select")
    return [c for c in COLUMNS if c in wanted]  # the documented column order, whatever order was asked


class KpiService:
    def __init__(self, store: RecordStore):
        self._store = store

    def table(self, ctx: TenantContext, columns: List[str]) -> Tuple[List[str], List[list]]:
        dims = [d for d in DIMENSIONS if d in columns]
        counts: Dict[tuple, Counter] = {}
        for rg_record in self._store.iterate(TenantContext(ctx.tenant), Kind.RESOURCE_GROUP):
            group = ctx.with_resource_group(rg_record.id)
            for key, measure in self._facts(group):
                full = {"ResourceGroup": rg_record.id, "Scenario": key[0], "Executable": key[1]}
                counts.setdefault(tuple(full[d] for d in dims), Counter())[measure] += 1
        rows = [list(dim_values) + [counts[dim_values][m] for m in MEASURES if m in columns]
                for dim_values in sorted(counts)]
        return columns, rows

    def _facts(self, group: TenantContext):
        """(scenario, executable) and measure for every run and artifact of one resource group."""
        executable_of: Dict[str, str] = {}
        for record in self._store.iterate(group, Kind.EXECUTION):
            executable_of[record.id] = record.doc.get("executable_id", "")
            yield (record.doc.get("scenario_id", ""), executable_of[record.id]), "Executions"
        for record in self._store.iterate(group, Kind.DEPLOYMENT):
            yield (record.doc.get("scenario_id", ""), record.doc.get("executable_id", "")), "Deployments"
        for record in self._store.iterate(group, Kind.ARTIFACT):
            execution = record.doc.get("execution_id")
            yield (record.doc.get("scenario_id", ""), executable_of.get(execution, "") if execution else ""), "Artifacts"
