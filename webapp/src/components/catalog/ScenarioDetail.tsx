// A scenario: its executables (parameters, artifacts) and its versions.
import { Button, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Text, Title } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { PageHeader } from "../PageHeader";
import { when } from "../time";
import { useOutcome } from "../../outcome";
import { go } from "../../route";
import { ExecutablePanel } from "./ExecutablePanel";
import { Executable, loadExecutables, loadVersions, Scenario, Version } from "./model";
import { api } from "../../api";

export function ScenarioDetail({ id }: { id: string }) {
  const { fail } = useOutcome();
  const [scenario, setScenario] = useState<Scenario | null>(null);
  const [executables, setExecutables] = useState<Executable[]>([]);
  const [versions, setVersions] = useState<Version[]>([]);
  useEffect(() => {
    api<Scenario>(`/v2/lm/scenarios/${encodeURIComponent(id)}`).then(setScenario).catch(fail);
    loadExecutables(id).then((answer) => setExecutables(answer.resources)).catch(fail);
    loadVersions(id).then((answer) => setVersions(answer.resources)).catch(fail);
  }, [id, fail]);
  return (
    <>
      <PageHeader title={`Scenario ${scenario?.name ?? id}`}
        actions={<Button icon="nav-back" onClick={() => go("scenarios")}>All scenarios</Button>} />
      <Text style={{ display: "block", marginTop: "0.5rem" }}>
        ID {id}{scenario?.description ? ` · ${scenario.description}` : ""}
      </Text>
      <Title level="H2" size="H4" style={{ marginTop: "1rem" }}>Executables ({executables.length})</Title>
      {executables.map((executable) => <ExecutablePanel key={executable.id} executable={executable} />)}
      <Title level="H2" size="H4" style={{ margin: "1.5rem 0 0.5rem" }}>Versions</Title>
      <Table accessibleName="Versions" noDataText="No versions" headerRow={
        <TableHeaderRow><TableHeaderCell>Version</TableHeaderCell><TableHeaderCell>Description</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell></TableHeaderRow>}>
        {versions.map((v) => (
          <TableRow key={v.id} rowKey={v.id}>
            <TableCell>{v.id}</TableCell><TableCell>{v.description ?? ""}</TableCell><TableCell>{when(v.createdAt)}</TableCell>
          </TableRow>
        ))}
      </Table>
    </>
  );
}
