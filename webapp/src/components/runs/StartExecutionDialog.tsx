// "Start execution": pick a configuration of a workflow executable (not a deployable one) and POST an execution.
import { Button, Dialog, Label, Option, Select, Text } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api, query } from "../../api";
import { useOutcome } from "../../outcome";

interface Configuration {
  id: string;
  name: string;
  scenarioId: string;
  executableId: string;
  createdAt?: string;
}

/** Configurations whose executable is a workflow: the scenarios' executables say which are deployable. */
async function workflowConfigurations(): Promise<Configuration[]> {
  const all = (await api<{ resources: Configuration[] }>("/v2/lm/configurations" + query({ $top: 500 }))).resources;
  const scenarios = [...new Set(all.map((c) => c.scenarioId))];
  const deployable = new Set<string>();
  await Promise.all(scenarios.map(async (scenario) => {
    const executables = await api<{ resources: { id: string; deployable?: boolean }[] }>(
      `/v2/lm/scenarios/${encodeURIComponent(scenario)}/executables`);
    executables.resources.filter((e) => e.deployable).forEach((e) => deployable.add(`${scenario}/${e.id}`));
  }));
  return all.filter((c) => !deployable.has(`${c.scenarioId}/${c.executableId}`))
    .sort((a, b) => (b.createdAt || "").localeCompare(a.createdAt || ""));
}

export function StartExecutionDialog({ open, onClose, onStarted }: {
  open: boolean; onClose: () => void; onStarted: (id: string) => void;
}) {
  const { run } = useOutcome();
  const [configurations, setConfigurations] = useState<Configuration[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [problem, setProblem] = useState("");
  useEffect(() => {
    if (!open) return;
    setConfigurations(null);
    workflowConfigurations()
      .then((found) => {
        setConfigurations(found);
        setChosen(found[0]?.id || "");
      })
      .catch((error) => setProblem(error instanceof Error ? error.message : String(error)));
  }, [open]);

  const start = async () => {
    const started = await run(() => api<{ id: string }>("/v2/lm/executions", { method: "POST", body: { configurationId: chosen } }),
      (answer) => `Execution ${answer.id} started.`);
    if (started) {
      onClose();
      onStarted(started.id);
    }
  };
  return (
    <Dialog open={open} headerText="Start execution" onClose={onClose} style={{ width: "32rem" }}
      footer={<div style={{ display: "flex", justifyContent: "flex-end", gap: "0.5rem", width: "100%", padding: "0.25rem 0" }}>
        <Button design="Emphasized" disabled={!chosen} onClick={start}>Start</Button><Button onClick={onClose}>Cancel</Button></div>}>
      {problem && <p role="alert">{problem}</p>}
      <Label for="start-configuration" required>Configuration</Label>
      {configurations && configurations.length === 0 && <Text>No configuration of a workflow executable yet: create one on the Configurations page.</Text>}
      <Select id="start-configuration" accessibleName="Configuration" style={{ width: "100%" }}
        onChange={(e) => setChosen(e.detail.selectedOption.dataset.id!)}>
        {(configurations || []).map((c) => (
          <Option key={c.id} data-id={c.id} selected={c.id === chosen}>{`${c.name} (${c.executableId}, ${c.id.slice(0, 8)})`}</Option>
        ))}
      </Select>
    </Dialog>
  );
}
