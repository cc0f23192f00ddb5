// Scenarios synced from Git: the list, and one scenario's executables and versions at #/scenarios/<id>.
import { Link, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import type { PageProps } from ".";
import { loadScenarios, Scenario } from "../components/catalog/model";
import { ScenarioDetail } from "../components/catalog/ScenarioDetail";
import { PageHeader } from "../components/PageHeader";
import { when } from "../components/time";
import { useOutcome } from "../outcome";
import { go } from "../route";

export function Scenarios({ id }: PageProps) {
  if (id) return <ScenarioDetail id={id} />;
  return <ScenarioList />;
}

function ScenarioList() {
  const { fail } = useOutcome();
  const [scenarios, setScenarios] = useState<Scenario[] | null>(null);
  useEffect(() => {
    loadScenarios().then((answer) => setScenarios(answer.resources)).catch(fail);
  }, [fail]);
  return (
    <>
      <PageHeader title="Scenarios" />
      <Table accessibleName="Scenarios" loading={scenarios === null}
        noDataText="No scenarios: sync an application on the Git page." headerRow={
          <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>ID</TableHeaderCell>
            <TableHeaderCell>Description</TableHeaderCell><TableHeaderCell>Modified</TableHeaderCell></TableHeaderRow>}>
        {(scenarios ?? []).map((s) => (
          <TableRow key={s.id} rowKey={s.id}>
            <TableCell><Link onClick={() => go("scenarios", s.id)}>{s.name}</Link></TableCell>
            <TableCell>{s.id}</TableCell><TableCell>{s.description ?? ""}</TableCell><TableCell>{when(s.modifiedAt)}</TableCell>
          </TableRow>
        ))}
      </Table>
    </>
  );
}
