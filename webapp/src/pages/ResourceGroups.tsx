// Resource groups of the tenant: list, create, delete. Tenant-level calls (no AI-Resource-Group header).
import { Button, Dialog, Input, Label, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag } from "@ui5/webcomponents-react";
import { useCallback, useEffect, useState } from "react";
import type { PageProps } from ".";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { when } from "../components/time";
import { usePolling } from "../polling";
import { useOutcome } from "../outcome";

interface ResourceGroup {
  resourceGroupId: string;
  status: string;
  statusMessage?: string;
  createdAt?: string;
}

export function ResourceGroups(_props: PageProps) {
  const { run, fail } = useOutcome();
  const [groups, setGroups] = useState<ResourceGroup[]>([]);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const load = useCallback(async () => {
    try {
      setGroups((await api<{ resources: ResourceGroup[] }>("/v2/admin/resourceGroups", { group: null })).resources);
    } catch (error) {
      fail(error);
    }
  }, [fail]);
  usePolling(load, 5000, []);
  useEffect(() => {
    window.dispatchEvent(new Event("aicore:groups-changed"));
  }, [groups.length]);

  const create = async () => {
    const created = await run(() => api("/v2/admin/resourceGroups", { method: "POST", group: null, body: { resourceGroupId: name } }),
      `Resource group '${name}' created.`);
    if (created !== undefined) {
      setCreating(false);
      setName("");
      load();
    }
  };
  const remove = async (id: string) => {
    await run(() => api(`/v2/admin/resourceGroups/${encodeURIComponent(id)}`, { method: "DELETE", group: null }),
      `Resource group '${id}' is being deleted.`);
    load();
  };
  return (
    <>
      <PageHeader title="Resource groups" actions={<Button design="Emphasized" onClick={() => setCreating(true)}>Create</Button>} />
      <Table aria-label="Resource groups" headerRow={
        <TableHeaderRow><TableHeaderCell>ID</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell></TableHeaderRow>}>
        {groups.map((group) => (
          <TableRow key={group.resourceGroupId} rowKey={group.resourceGroupId}>
            <TableCell>{group.resourceGroupId}</TableCell>
            <TableCell><Tag colorScheme={group.status === "PROVISIONED" ? "8" : "1"}>{group.status}</Tag></TableCell>
            <TableCell>{when(group.createdAt)}</TableCell>
            <TableCell><Button design="Transparent" accessibleName={`Delete ${group.resourceGroupId}`} onClick={() => remove(group.resourceGroupId)}>Delete</Button></TableCell>
          </TableRow>
        ))}
      </Table>
      <Dialog open={creating} headerText="Create resource group" onClose={() => setCreating(false)}
        footer={<><Button design="Emphasized" onClick={create}>Create</Button><Button onClick={() => setCreating(false)}>Cancel</Button></>}>
        <Label for="rg-id" required>Resource group ID</Label>
        <Input id="rg-id" accessibleName="Resource group ID" value={name} onInput={(e) => setName(e.target.value)} />
      </Dialog>
    </>
  );
}
