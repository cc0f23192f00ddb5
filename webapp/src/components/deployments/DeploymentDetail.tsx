// One deployment: URL, status (live), logs, switch configuration, stop, delete, and a prediction panel.
import { Button, Form, FormItem, Label, Link, Text } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api } from "../../api";
import { loadConfiguration, loadExecutables } from "../catalog/model";
import { PageHeader } from "../PageHeader";
import { when } from "../time";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { go } from "../../route";
import { DeploymentLogs } from "./DeploymentLogs";
import { Deployment, deploymentPath, isLive, loadDeployment } from "./model";
import { PredictionPanel } from "./PredictionPanel";
import { StatusTag } from "./StatusTag";
import { SwitchConfiguration } from "./SwitchConfiguration";

export function DeploymentDetail({ id }: { id: string }) {
  const { run, fail } = useOutcome();
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const [model, setModel] = useState("");
  const read = async () => {
    try {
      setDeployment(await loadDeployment(id));
    } catch (error) {
      fail(error);
    }
  };
  usePolling(read, 3000, [id], isLive(deployment));
  useEffect(() => {
    if (deployment?.configurationId) modelName(deployment.configurationId).then(setModel).catch(() => setModel("model"));
  }, [deployment?.configurationId]);

  const stop = async () => {
    await run(() => api(deploymentPath(id), { method: "PATCH", body: { targetStatus: "STOPPED" } }),
      `Deployment ${id} is stopping.`);
    read();
  };
  const remove = async () => {
    const deleted = await run(() => api(deploymentPath(id), { method: "DELETE" }), `Deployment ${id} is being deleted.`);
    if (deleted) go("deployments");
  };
  const actions = (
    <>
      <Button design="Transparent" icon="refresh" onClick={read}>Refresh</Button>
      <Button icon="stop" disabled={!deployment || deployment.targetStatus === "STOPPED"} onClick={stop}>Stop</Button>
      <Button design="Negative" icon="delete" onClick={remove}>Delete</Button>
      <Button icon="nav-back" onClick={() => go("deployments")}>All deployments</Button>
    </>
  );
  return (
    <>
      <PageHeader title={`Deployment ${id}`} actions={actions} />
      {deployment && (
        <>
          <Form labelSpan="S12 M3 L2 XL2" style={{ marginTop: "1rem" }}>
            <FormItem labelContent={<Label showColon>Status</Label>}>
              <div aria-label="Deployment status" role="group"><StatusTag status={deployment.status} /></div>
            </FormItem>
            <FormItem labelContent={<Label showColon>Target status</Label>}><Text>{deployment.targetStatus}</Text></FormItem>
            <FormItem labelContent={<Label showColon>Status message</Label>}><Text>{deployment.statusMessage ?? ""}</Text></FormItem>
            <FormItem labelContent={<Label showColon>Deployment URL</Label>}>
              <Text style={{ wordBreak: "break-all" }}>{deployment.deploymentUrl || "(known once it runs)"}</Text>
            </FormItem>
            <FormItem labelContent={<Label showColon>Configuration</Label>}>
              <Link onClick={() => go("configurations", deployment.configurationId)}>
                {deployment.configurationName || deployment.configurationId}</Link>
            </FormItem>
            <FormItem labelContent={<Label showColon>Executable</Label>}>
              <Text>{deployment.scenarioId} / {deployment.executableId}</Text>
            </FormItem>
            <FormItem labelContent={<Label showColon>Created</Label>}><Text>{when(deployment.createdAt)}</Text></FormItem>
            <FormItem labelContent={<Label showColon>Last operation</Label>}><Text>{deployment.lastOperation ?? ""}</Text></FormItem>
          </Form>
          <div style={{ marginTop: "1rem" }}>
            <SwitchConfiguration deployment={deployment} onDone={read} />
          </div>
          {model && <PredictionPanel key={model} deploymentUrl={deployment.deploymentUrl} model={model}
            running={deployment.status === "RUNNING"} />}
          <DeploymentLogs id={id} live={isLive(deployment)} />
        </>
      )}
    </>
  );
}

/** The model the predictor serves: the configuration's `model_name` binding, else the executable's default. */
async function modelName(configurationId: string): Promise<string> {
  const configuration = await loadConfiguration(configurationId);
  const bound = configuration.parameterBindings.find((b) => b.key === "model_name")?.value;
  if (bound) return bound;
  const executables = await loadExecutables(configuration.scenarioId);
  const executable = executables.resources.find((e) => e.id === configuration.executableId);
  return executable?.parameters.find((p) => p.name === "model_name")?.default || "model";
}
