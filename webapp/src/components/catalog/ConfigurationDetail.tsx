// One configuration: its bindings, and what it is for: "Start execution" (workflow) or "Deploy" (serving).
import {
  Button, Form, FormItem, Label, Link, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text, Title,
} from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api } from "../../api";
import { PageHeader } from "../PageHeader";
import { when } from "../time";
import { useOutcome } from "../../outcome";
import { go } from "../../route";
import { Configuration, Executable, loadConfiguration, loadExecutables } from "./model";

export function ConfigurationDetail({ id }: { id: string }) {
  const { run, fail } = useOutcome();
  const [configuration, setConfiguration] = useState<Configuration | null>(null);
  const [executable, setExecutable] = useState<Executable | null>(null);
  useEffect(() => {
    loadConfiguration(id).then(async (found) => {
      setConfiguration(found);
      const executables = await loadExecutables(found.scenarioId);
      setExecutable(executables.resources.find((e) => e.id === found.executableId) ?? null);
    }).catch(fail);
  }, [id, fail]);

  // The outcome stays on this page (leaving it would drop the message); links lead to what was started.
  const [started, setStarted] = useState<{ page: "executions" | "deployments"; id: string }[]>([]);
  const startExecution = async () => {
    const answer = await run(() => api<{ id: string }>("/v2/lm/executions", { method: "POST", body: { configurationId: id } }),
      (created) => `Execution ${created.id} started.`);
    if (answer) setStarted((all) => [...all, { page: "executions", id: answer.id }]);
  };
  const deploy = async () => {
    const answer = await run(() => api<{ id: string }>("/v2/lm/deployments", { method: "POST", body: { configurationId: id } }),
      (created) => `Deployment ${created.id} created.`);
    if (answer) setStarted((all) => [...all, { page: "deployments", id: answer.id }]);
  };
  const actions = (
    <>
      {executable?.deployable === true && <Button design="Emphasized" icon="cloud" onClick={deploy}>Deploy</Button>}
      {executable?.deployable === false && <Button design="Emphasized" icon="process" onClick={startExecution}>Start execution</Button>}
      <Button icon="nav-back" onClick={() => go("configurations")}>All configurations</Button>
    </>
  );
  if (!configuration) return <PageHeader title={`Configuration ${id}`} actions={actions} />;
  return (
    <>
      <PageHeader title={`Configuration ${configuration.name || id}`} actions={actions} />
      {started.map((run) => (
        <div key={run.id} style={{ marginTop: "0.5rem" }}>
          <Link onClick={() => go(run.page, run.id)}>
            {run.page === "executions" ? `Open execution ${run.id}` : `Open deployment ${run.id}`}
          </Link>
        </div>
      ))}
      <Form labelSpan="S12 M3 L2 XL2" style={{ marginTop: "1rem" }}>
        <FormItem labelContent={<Label showColon>ID</Label>}><Text>{configuration.id}</Text></FormItem>
        <FormItem labelContent={<Label showColon>Scenario</Label>}>
          <Link onClick={() => go("scenarios", configuration.scenarioId)}>{configuration.scenarioId}</Link>
        </FormItem>
        <FormItem labelContent={<Label showColon>Executable</Label>}>
          <div style={{ display: "flex", gap: "0.5rem", alignItems: "center" }}>
            <Text>{configuration.executableId}</Text>
            {executable && <Tag hideStateIcon colorScheme={executable.deployable ? "6" : "5"}>
              {executable.deployable ? "Serving" : "Workflow"}</Tag>}
          </div>
        </FormItem>
        <FormItem labelContent={<Label showColon>Created</Label>}><Text>{when(configuration.createdAt)}</Text></FormItem>
      </Form>
      <Title level="H2" size="H5" style={{ margin: "1rem 0 0.5rem" }}>Parameter bindings</Title>
      <Table accessibleName="Parameter bindings" noDataText="No parameter bindings" headerRow={
        <TableHeaderRow><TableHeaderCell>Parameter</TableHeaderCell><TableHeaderCell>Value</TableHeaderCell></TableHeaderRow>}>
        {configuration.parameterBindings.map((b) => (
          <TableRow key={b.key} rowKey={b.key}><TableCell>{b.key}</TableCell><TableCell>{b.value}</TableCell></TableRow>
        ))}
      </Table>
      <Title level="H2" size="H5" style={{ margin: "1rem 0 0.5rem" }}>Input artifact bindings</Title>
      <Table accessibleName="Input artifact bindings" noDataText="No artifact bindings" headerRow={
        <TableHeaderRow><TableHeaderCell>Input artifact</TableHeaderCell><TableHeaderCell>Artifact ID</TableHeaderCell></TableHeaderRow>}>
        {configuration.inputArtifactBindings.map((b) => (
          <TableRow key={b.key} rowKey={b.key}><TableCell>{b.key}</TableCell><TableCell>{b.artifactId}</TableCell></TableRow>
        ))}
      </Table>
    </>
  );
}
