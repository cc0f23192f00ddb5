"""Resource groups (tenant level) through ai-core-sdk: labels, $search, label changes, deletion."""
import pytest
from ai_api_client_sdk.exception import AIAPINotFoundException
from ai_api_client_sdk.models.label import Label

from tests.support.stack_process import wait_for

TEAM = "ext.ai.sap.com/team"


def groups(core, **kwargs) -> set:
    return {g.resource_group_id for g in core.resource_groups.query(**kwargs).resources}


def test_create_get_search_modify_delete(core):
    created = core.resource_groups.create(resource_group_id="conf-rg-alpha", labels=[Label(key=TEAM, value="a")])
    assert created.resource_group_id == "conf-rg-alpha"  # the client keeps only the id of the 202 body
    core.resource_groups.create(resource_group_id="conf-rg-beta")
    wait_for(lambda: core.resource_groups.get("conf-rg-alpha").status == "PROVISIONED", what="provisioned")

    got = core.resource_groups.get("conf-rg-alpha")
    assert [(l.key, l.value) for l in got.labels] == [(TEAM, "a")]
    assert got.created_at.tzinfo is not None

    assert groups(core, search="conf-rg-") == {"conf-rg-alpha", "conf-rg-beta"}
    assert groups(core, search="CONF-RG-A") == set()
    assert groups(core, search="CONF-RG-A", search_case_insensitive=True) == {"conf-rg-alpha"}

    core.resource_groups.modify("conf-rg-alpha", labels=[Label(key=TEAM, value="b")])
    wait_for(lambda: [(l.key, l.value) for l in core.resource_groups.get("conf-rg-alpha").labels] == [(TEAM, "b")],
             what="labels replaced")

    assert core.resource_groups.delete("conf-rg-beta").id == "conf-rg-beta"

    def gone():
        try:
            core.resource_groups.get("conf-rg-beta")
            return False
        except AIAPINotFoundException:
            return True

    wait_for(gone, what="group deleted")
    assert "conf-rg-beta" not in groups(core, search="conf-rg-")


def test_default_group_exists(core):
    assert core.resource_groups.get("default").status == "PROVISIONED"
    # Creating it (or any existing group) again is not an error: the client gets the group back.
    assert core.resource_groups.create(resource_group_id="default").resource_group_id == "default"
    assert [g.resource_group_id for g in core.resource_groups.query().resources].count("default") == 1
    with pytest.raises(AIAPINotFoundException):
        core.resource_groups.get("conf-rg-never-created")
