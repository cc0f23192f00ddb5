// Create a configuration from an executable: one field per parameter (prefilled with its default), one picker per
// input artifact (the scenario's registered artifacts of that kind), a name. The API checks it; its error is shown.
import { Button, Form, FormGroup, FormItem, Input, Label, Option, Select, Text } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api } from "../../api";
import { PageHeader } from "../PageHeader";
import { useOutcome } from "../../outcome";
import { go } from "../../route";
import { Artifact, Executable, loadArtifacts, loadExecutables, loadScenarios, Scenario } from "./model";

export function ConfigurationCreate({ initialScenario, initialExecutable }: { initialScenario: string; initialExecutable: string }) {
  const { run, fail } = useOutcome();
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [scenarioId, setScenarioId] = useState(initialScenario);
  const [executables, setExecutables] = useState<Executable[]>([]);
  const [executableId, setExecutableId] = useState(initialExecutable);
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [choices, setChoices] = useState<Record<string, Artifact[]>>({});
  const [picked, setPicked] = useState<Record<string, string>>({});
  const executable = executables.find((e) => e.id === executableId);

  useEffect(() => {
    loadScenarios().then((answer) => {
      setScenarios(answer.resources);
      if (!scenarioId && answer.resources.length) setScenarioId(answer.resources[0].id);
    }).catch(fail);
  }, [fail]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (!scenarioId) return;
    loadExecutables(scenarioId).then((answer) => {
      setExecutables(answer.resources);
      setExecutableId((current) => answer.resources.some((e) => e.id === current) ? current : answer.resources[0]?.id ?? "");
    }).catch(fail);
  }, [scenarioId, fail]);
  // A new executable: its parameters' defaults, and the artifacts each input may bind.
  useEffect(() => {
    if (!executable) return;
    setValues(Object.fromEntries(executable.parameters.map((p) => [p.name, p.default ?? ""])));
    setPicked({});
    setChoices({});
    for (const input of executable.inputArtifacts) {
      loadArtifacts(executable.scenarioId, input.kind)
        .then((answer) => setChoices((all) => ({ ...all, [input.name]: answer.resources })))
        .catch(fail);
    }
  }, [executable, fail]);

  const create = async () => {
    if (!executable) return;
    const body = {
      name, scenarioId, executableId,
      parameterBindings: executable.parameters.map((p) => ({ key: p.name, value: values[p.name] ?? "" })),
      inputArtifactBindings: executable.inputArtifacts.filter((a) => picked[a.name])
        .map((a) => ({ key: a.name, artifactId: picked[a.name] })),
    };
    const created = await run(() => api<{ id: string }>("/v2/lm/configurations", { method: "POST", body }),
      (answer) => `Configuration '${name}' created (${answer.id}).`);
    if (created) go("configurations", created.id);
  };

  return (
    <>
      <PageHeader title="Create configuration" actions={<Button onClick={() => go("configurations")}>Cancel</Button>} />
      <Form labelSpan="S12 M3 L2 XL2" style={{ marginTop: "1rem" }}>
        <FormGroup headerText="Executable">
          <FormItem labelContent={<Label for="cfg-scenario" showColon>Scenario</Label>}>
            <Select id="cfg-scenario" accessibleName="Scenario" value={scenarioId}
              onChange={(e) => setScenarioId(e.detail.selectedOption.value ?? "")}>
              {scenarios.map((s) => <Option key={s.id} value={s.id}>{s.name} ({s.id})</Option>)}
            </Select>
          </FormItem>
          <FormItem labelContent={<Label for="cfg-executable" showColon>Executable</Label>}>
            <Select id="cfg-executable" accessibleName="Executable" value={executableId}
              onChange={(e) => setExecutableId(e.detail.selectedOption.value ?? "")}>
              {executables.map((x) => (
                <Option key={x.id} value={x.id}>{x.id} ({x.deployable ? "serving" : "workflow"})</Option>
              ))}
            </Select>
          </FormItem>
          <FormItem labelContent={<Label for="cfg-name" required showColon>Name</Label>}>
            <Input id="cfg-name" accessibleName="Name" value={name} onInput={(e) => setName(e.target.value)} />
          </FormItem>
        </FormGroup>
        <FormGroup headerText="Parameters">
          {(executable?.parameters ?? []).map((p) => (
            <FormItem key={p.name} labelContent={<Label for={`cfg-param-${p.name}`} showColon>{p.name}</Label>}>
              <Input id={`cfg-param-${p.name}`} accessibleName={p.name} value={values[p.name] ?? ""}
                placeholder={p.description ?? p.type ?? ""}
                onInput={(e) => setValues((all) => ({ ...all, [p.name]: e.target.value }))} />
            </FormItem>
          ))}
        </FormGroup>
        <FormGroup headerText="Input artifacts">
          {(executable?.inputArtifacts ?? []).map((a) => (
            <FormItem key={a.name} labelContent={<Label for={`cfg-artifact-${a.name}`} showColon>{a.name}</Label>}>
              <Select id={`cfg-artifact-${a.name}`} accessibleName={a.name} value={picked[a.name] ?? ""}
                onChange={(e) => setPicked((all) => ({ ...all, [a.name]: e.detail.selectedOption.value ?? "" }))}>
                <Option value="">(not bound)</Option>
                {(choices[a.name] ?? []).map((artifact) => (
                  <Option key={artifact.id} value={artifact.id}>
                    {artifact.name} ({artifact.kind}) {artifact.id}
                  </Option>
                ))}
              </Select>
            </FormItem>
          ))}
        </FormGroup>
      </Form>
      {executable && executable.parameters.length + executable.inputArtifacts.length === 0 &&
        <Text>This executable takes no parameters or artifacts.</Text>}
      <Button design="Emphasized" style={{ marginTop: "1rem" }} disabled={!executable} onClick={create}>
        Create configuration
      </Button>
    </>
  );
}
