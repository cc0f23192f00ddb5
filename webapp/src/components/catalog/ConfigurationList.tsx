// Configurations of the resource group, paged on the server ($top/$skip; the total from `count`), by scenario.
import {
  Button, Label, Link, Option, Select, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow,
} from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { PageHeader } from "../PageHeader";
import { Pager } from "../Pager";
import { when } from "../time";
import { useOutcome } from "../../outcome";
import { go } from "../../route";
import { Configuration, loadConfigurations, loadScenarios, Scenario } from "./model";

const PAGE = 20;

export function ConfigurationList({ scenarioId }: { scenarioId: string }) {
  const { fail } = useOutcome();
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [page, setPage] = useState<{ items: Configuration[]; count: number } | null>(null);
  const [skip, setSkip] = useState(0);
  useEffect(() => {
    loadScenarios().then((answer) => setScenarios(answer.resources)).catch(fail);
  }, [fail]);
  useEffect(() => {
    setPage(null);
    loadConfigurations({ scenarioId: scenarioId || undefined, top: PAGE, skip })
      .then((answer) => setPage({ items: answer.resources, count: answer.count }))
      .catch(fail);
  }, [scenarioId, skip, fail]);
  const filter = (next: string) => {
    setSkip(0);
    go("configurations", undefined, next ? { scenarioId: next } : undefined);
  };
  const count = page?.count ?? 0;
  return (
    <>
      <PageHeader title="Configurations" actions={
        <Button design="Emphasized" icon="add"
          onClick={() => go("configurations", undefined, { create: "1", ...(scenarioId ? { scenarioId } : {}) })}>
          Create
        </Button>} />
      <div style={{ display: "flex", gap: "0.5rem", alignItems: "center", margin: "0.75rem 0" }}>
        <Label for="configurations-scenario">Scenario</Label>
        <Select id="configurations-scenario" accessibleName="Scenario filter" value={scenarioId}
          onChange={(e) => filter(e.detail.selectedOption.value ?? "")}>
          <Option value="">All scenarios</Option>
          {scenarios.map((s) => <Option key={s.id} value={s.id}>{s.name}</Option>)}
        </Select>
      </div>
      <Table accessibleName="Configurations" loading={page === null} noDataText="No configurations" headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Executable</TableHeaderCell>
          <TableHeaderCell>Scenario</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell>
          <TableHeaderCell>ID</TableHeaderCell></TableHeaderRow>}>
        {(page?.items ?? []).map((c) => (
          <TableRow key={c.id} rowKey={c.id}>
            <TableCell><Link onClick={() => go("configurations", c.id)}>{c.name || "(no name)"}</Link></TableCell>
            <TableCell>{c.executableId}</TableCell><TableCell>{c.scenarioId}</TableCell>
            <TableCell>{when(c.createdAt)}</TableCell><TableCell>{c.id}</TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager skip={skip} size={PAGE} count={count} onSkip={setSkip} />
    </>
  );
}
