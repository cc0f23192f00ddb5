// Deployments of the resource group: paged on the server, filtered by status, refreshed live.
import {
  Button, Label, Link, Option, Select, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Text,
} from "@ui5/webcomponents-react";
import { useState } from "react";
import { PageHeader } from "../PageHeader";
import { Pager } from "../Pager";
import { when } from "../time";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { go } from "../../route";
import { Deployment, loadDeployments, STATUSES } from "./model";
import { StatusTag } from "./StatusTag";

const PAGE = 20;

export function DeploymentList() {
  const { fail } = useOutcome();
  const [status, setStatus] = useState("");
  const [skip, setSkip] = useState(0);
  const [page, setPage] = useState<{ items: Deployment[]; count: number } | null>(null);
  usePolling(async () => {
    try {
      const answer = await loadDeployments({ status: status || undefined, top: PAGE, skip });
      setPage({ items: answer.resources, count: answer.count });
    } catch (error) {
      fail(error);
    }
  }, 3000, [status, skip]);
  const count = page?.count ?? 0;
  return (
    <>
      <PageHeader title="Deployments" actions={
        <Button icon="add" onClick={() => go("configurations")}>Deploy a configuration</Button>} />
      <div style={{ display: "flex", gap: "0.5rem", alignItems: "center", margin: "0.75rem 0" }}>
        <Label for="deployments-status">Status</Label>
        <Select id="deployments-status" accessibleName="Status filter" value={status}
          onChange={(e) => { setSkip(0); setStatus(e.detail.selectedOption.value ?? ""); }}>
          <Option value="">All statuses</Option>
          {STATUSES.map((s) => <Option key={s} value={s}>{s}</Option>)}
        </Select>
      </div>
      <Table accessibleName="Deployments" loading={page === null} noDataText="No deployments" headerRow={
        <TableHeaderRow><TableHeaderCell>ID</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Configuration</TableHeaderCell><TableHeaderCell>Executable</TableHeaderCell>
          <TableHeaderCell minWidth="16rem">URL</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell></TableHeaderRow>}>
        {(page?.items ?? []).map((d) => (
          <TableRow key={d.id} rowKey={d.id}>
            <TableCell><Link onClick={() => go("deployments", d.id)}>{d.id}</Link></TableCell>
            <TableCell><StatusTag status={d.status} /></TableCell>
            <TableCell><Link onClick={() => go("configurations", d.configurationId)}>{d.configurationName || d.configurationId}</Link></TableCell>
            <TableCell>{d.executableId}</TableCell>
            <TableCell><Text style={{ wordBreak: "break-all" }}>{d.deploymentUrl}</Text></TableCell>
            <TableCell>{when(d.createdAt)}</TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager skip={skip} size={PAGE} count={count} onSkip={setSkip} />
    </>
  );
}
