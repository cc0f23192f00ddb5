// Register an artifact (POST /v2/lm/artifacts): a pointer to data in an object store, `ai://<secret>/<path>`.
import { FormItem, Label, Option, Select, TextArea } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api } from "../../api";
import { Field, FormDialog } from "./FormDialog";

export const KINDS = ["dataset", "model", "resultset", "other"];
export interface ArtifactDraft { name: string; kind: string; url: string; scenarioId: string; description: string }
export const EMPTY_DRAFT: ArtifactDraft = { name: "", kind: "dataset", url: "", scenarioId: "", description: "" };

export function ArtifactRegisterDialog({ open, draft, scenarios, onClose, onDone }: {
  open: boolean; draft: ArtifactDraft; scenarios: string[]; onClose: () => void; onDone: () => void;
}) {
  const [form, setForm] = useState(draft);
  useEffect(() => { if (open) setForm({ ...draft, scenarioId: draft.scenarioId || scenarios[0] || "" }); }, [open, draft, scenarios]);
  const set = (key: keyof ArtifactDraft) => (value: string) => setForm((now) => ({ ...now, [key]: value }));
  return (
    <FormDialog open={open} title="Register artifact" onClose={onClose}
      submit={() => api<{ id: string; message: string }>("/v2/lm/artifacts", { method: "POST", body: {
        name: form.name.trim(), kind: form.kind, url: form.url.trim(), scenarioId: form.scenarioId,
        description: form.description.trim() || undefined } })}
      success={(answer) => `Artifact '${form.name.trim()}' registered (${answer.id}): ${answer.message}`}
      onDone={onDone}>
      <Field id="artifact-name" label="Artifact name" required value={form.name} onValue={set("name")} />
      <FormItem labelContent={<Label for="artifact-kind" required>Kind</Label>}>
        <Select id="artifact-kind" accessibleName="Kind" onChange={(e) => set("kind")(e.detail.selectedOption.textContent ?? "dataset")}>
          {KINDS.map((kind) => <Option key={kind} selected={form.kind === kind}>{kind}</Option>)}
        </Select>
      </FormItem>
      <Field id="artifact-url" label="URL" required value={form.url} onValue={set("url")} placeholder="ai://<object store secret>/<path>" />
      <FormItem labelContent={<Label for="artifact-scenario" required>Scenario</Label>}>
        <Select id="artifact-scenario" accessibleName="Scenario" onChange={(e) => set("scenarioId")(e.detail.selectedOption.textContent ?? "")}>
          {scenarios.map((id) => <Option key={id} selected={form.scenarioId === id}>{id}</Option>)}
        </Select>
      </FormItem>
      <FormItem labelContent={<Label for="artifact-description">Description</Label>}>
        <TextArea id="artifact-description" accessibleName="Description" value={form.description} onInput={(e) => set("description")(e.target.value)} />
      </FormItem>
    </FormDialog>
  );
}
