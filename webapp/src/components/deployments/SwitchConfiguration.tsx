// Switch a running deployment to another configuration of the same executable (PATCH configurationId).
import { Button, Label, Option, Select } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api } from "../../api";
import { Configuration, loadConfigurations } from "../catalog/model";
import { useOutcome } from "../../outcome";
import { Deployment, deploymentPath } from "./model";

export function SwitchConfiguration({ deployment, onDone }: { deployment: Deployment; onDone: () => void }) {
  const { run, fail } = useOutcome();
  const [options, setOptions] = useState<Configuration[]>([]);
  const [chosen, setChosen] = useState("");
  useEffect(() => {
    loadConfigurations({ scenarioId: deployment.scenarioId, executableIds: deployment.executableId, top: 100, skip: 0 })
      .then((answer) => setOptions(answer.resources.filter((c) => c.id !== deployment.configurationId)))
      .catch(fail);
  }, [deployment.scenarioId, deployment.executableId, deployment.configurationId, fail]);
  const change = async () => {
    await run(() => api(deploymentPath(deployment.id), { method: "PATCH", body: { configurationId: chosen } }),
      `Deployment ${deployment.id} is switching to configuration ${chosen}.`);
    onDone();
  };
  return (
    <div style={{ display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" }}>
      <Label for="switch-configuration">Switch to configuration</Label>
      <Select id="switch-configuration" accessibleName="Switch to configuration" value={chosen}
        onChange={(e) => setChosen(e.detail.selectedOption.value ?? "")}>
        <Option value="">{options.length ? "(choose one)" : "(no other configuration of this executable)"}</Option>
        {options.map((c) => <Option key={c.id} value={c.id}>{c.name || "(no name)"} ({c.id})</Option>)}
      </Select>
      <Button disabled={!chosen} onClick={change}>Switch configuration</Button>
    </div>
  );
}
