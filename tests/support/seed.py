"""Put scenarios and executables straight into the record store, as Git sync would, without a repository."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Optional

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import AlreadyExists
from chalicelib.domain.scenarios import Executable, ExecutableArtifact, ExecutableParameter, Scenario

SEEDED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def seed_scenario(store, tenant: str, scenario_id: str, name: Optional[str] = None) -> Scenario:
    scenario = Scenario(id=scenario_id, name=name or f"Scenario {scenario_id}", description="seeded for tests",
                        created_at=SEEDED_AT, modified_at=SEEDED_AT)
    try:
        store.create(TenantContext(tenant), scenario.to_record(scenario_id))
    except AlreadyExists:
        pass
    return scenario


def seed_executable(store, tenant: str, scenario_id: str, executable_id: str, *, deployable: bool = False,
                    parameters: Iterable[str] = (), input_artifacts: Iterable[str] = (),
                    output_artifacts: Iterable[str] = ()) -> Executable:
    """A scenario (created if missing) and one executable with the given parameter and artifact names."""
    seed_scenario(store, tenant, scenario_id)
    executable = Executable(
        id=executable_id, name=executable_id, scenario_id=scenario_id, version_id="1.0", deployable=deployable,
        parameters=[ExecutableParameter(name=p) for p in parameters],
        input_artifacts=[ExecutableArtifact(name=a) for a in input_artifacts],
        output_artifacts=[ExecutableArtifact(name=a, kind="model") for a in output_artifacts],
        created_at=SEEDED_AT, modified_at=SEEDED_AT)
    store.create(TenantContext(tenant), executable.to_record(Executable.record_id(scenario_id, executable_id)))
    return executable
