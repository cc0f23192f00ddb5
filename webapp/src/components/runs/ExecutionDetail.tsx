// One execution: status and times, the steps as a graph, live logs, metric charts, output artifacts; stop, delete.
import { Button, Label, Link, Panel, Text } from "@ui5/webcomponents-react";
import { useCallback, useState } from "react";
import { api } from "../../api";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { go } from "../../route";
import { PageHeader } from "../PageHeader";
import { when } from "../time";
import { ArtifactTable } from "./ArtifactTable";
import { LogViewer } from "./LogViewer";
import { ExecutionMetrics } from "./ExecutionMetrics";
import { Execution, FINAL, StatusTag } from "./status";
import { StepGraph } from "./StepGraph";

export function ExecutionDetail({ id }: { id: string }) {
  const { run, fail } = useOutcome();
  const [execution, setExecution] = useState<Execution | null>(null);
  const [gone, setGone] = useState(false);
  const path = `/v2/lm/executions/${encodeURIComponent(id)}`;
  const live = !gone && (!execution || !FINAL.includes(execution.status));

  const load = useCallback(async () => {
    try {
      setExecution(await api<Execution>(path));
    } catch (error) {
      if ((error as { status?: number }).status === 404) setGone(true);
      fail(error);
    }
  }, [path, fail]);
  usePolling(load, 2000, [path], live);

  const stop = async () => {
    await run(() => api(path, { method: "PATCH", body: { targetStatus: "STOPPED" } }), `Execution ${id} is being stopped.`);
    load();
  };
  const remove = async () => {
    const done = await run(() => api(path, { method: "DELETE" }), `Execution ${id} is being deleted.`);
    if (done !== undefined) go("executions");
  };

  const ended = execution ? FINAL.includes(execution.status) : false;
  return (
    <>
      <PageHeader title={`Execution ${id}`} actions={
        <>
          <Button onClick={() => go("executions")}>Back to executions</Button>
          <Button onClick={() => go("compare", undefined, { ids: id })}>Compare</Button>
          <Button design="Attention" disabled={!execution || ended} onClick={stop}>Stop</Button>
          <Button design="Negative" disabled={!execution} onClick={remove}>Delete</Button>
        </>
      } />
      {execution && (
        <>
          <dl aria-label="Execution facts" style={{ display: "grid", gridTemplateColumns: "max-content 1fr", gap: "0.4rem 1rem", margin: "1rem 0" }}>
            <Fact label="Status"><span data-testid="execution-status"><StatusTag status={execution.status} /></span></Fact>
            <Fact label="Status message"><Text>{execution.statusMessage || ""}</Text></Fact>
            <Fact label="Target status"><Text>{execution.targetStatus || ""}</Text></Fact>
            <Fact label="Configuration">
              <Link onClick={() => go("configurations", execution.configurationId)}>
                {execution.configurationName || execution.configurationId}
              </Link>
              <Text>{`\u00a0(${execution.scenarioId} / ${execution.executableId})`}</Text>
            </Fact>
            <Fact label="Created"><Text>{when(execution.createdAt)}</Text></Fact>
            <Fact label="Started"><Text>{when(execution.startTime)}</Text></Fact>
            <Fact label="Completed"><Text>{when(execution.completionTime)}</Text></Fact>
          </dl>
          <Panel headerText="Steps" headerLevel="H2">
            {execution.statusDetails?.steps?.length
              ? <StepGraph steps={execution.statusDetails.steps} />
              : <Text>No steps reported yet.</Text>}
          </Panel>
          <Panel headerText="Logs" headerLevel="H2">
            <LogViewer executionId={id} live={live} />
          </Panel>
          <Panel headerText="Metrics" headerLevel="H2">
            <ExecutionMetrics executionId={id} live={live} />
          </Panel>
          <Panel headerText="Output artifacts" headerLevel="H2">
            <ArtifactTable executionId={id} live={live} />
          </Panel>
        </>
      )}
    </>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt><Label showColon>{label}</Label></dt>
      <dd style={{ margin: 0 }}>{children}</dd>
    </>
  );
}
