// One application's sync as the API reports it: sync and health status, its message, and the per-file results
// (`syncResourcesStatus`, or the spec's misspelled `syncRessourcesStatus`), errors first.
import { Panel, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text } from "@ui5/webcomponents-react";

export interface SyncResource { name: string; kind: string; status: string; message: string }
export interface ApplicationSyncStatus {
  syncStatus: string;
  healthStatus: string;
  message: string;
  reconciledAt?: string;
  source?: { repoURL: string; path: string; revision: string };
  syncResourcesStatus?: SyncResource[];
  syncRessourcesStatus?: SyncResource[];
}

type Design = "Positive" | "Negative" | "Critical" | "Information";
export const syncDesign = (status?: string): Design => (status === "Synced" ? "Positive" : status === "OutOfSync" ? "Negative" : "Information");
export const healthDesign = (status?: string): Design => (status === "Healthy" ? "Positive" : status === "Degraded" || status === "Missing" ? "Negative" : "Information");

export function resourcesOf(status?: ApplicationSyncStatus): SyncResource[] {
  const all = status?.syncResourcesStatus ?? status?.syncRessourcesStatus ?? [];
  return [...all].sort((a, b) => Number(a.status === "Synced") - Number(b.status === "Synced") || a.name.localeCompare(b.name));
}

export function ApplicationResources({ name, status }: { name: string; status: ApplicationSyncStatus }) {
  const resources = resourcesOf(status);
  const broken = resources.filter((r) => r.status !== "Synced").length;
  return (
    <Panel headerText={`Resources of ${name}: ${resources.length} resource${resources.length === 1 ? "" : "s"}${broken ? `, ${broken} with errors` : ""}`}
      collapsed={!broken && status.healthStatus === "Healthy"} accessibleName={`Resources of ${name}`}>
      <Text style={{ display: "block", marginBottom: "0.5rem" }}>{status.message}</Text>
      <Table aria-label={`Resources of ${name}`} noDataText="Nothing synced yet." headerRow={
        <TableHeaderRow><TableHeaderCell>Name / file</TableHeaderCell><TableHeaderCell width="12rem">Kind</TableHeaderCell>
          <TableHeaderCell width="8rem">Status</TableHeaderCell><TableHeaderCell minWidth="20rem">Message</TableHeaderCell></TableHeaderRow>}>
        {resources.map((resource) => (
          <TableRow key={`${resource.kind}/${resource.name}`} rowKey={`${resource.kind}/${resource.name}`}>
            <TableCell><Text>{resource.name}</Text></TableCell>
            <TableCell><Text>{resource.kind}</Text></TableCell>
            <TableCell><Tag design={syncDesign(resource.status)}>{resource.status}</Tag></TableCell>
            <TableCell><Text>{resource.message}</Text></TableCell>
          </TableRow>
        ))}
      </Table>
    </Panel>
  );
}
