// Object-store secrets of the resource group: where datasets and models live (S3 and the other AI Core types).
import { Button, FormItem, Label, Option, Select, Text } from "@ui5/webcomponents-react";
import { useState } from "react";
import { api } from "../../api";
import { Field, FormDialog } from "./FormDialog";
import { asObject, Entry, KeyValueEditor } from "./KeyValueEditor";
import { SecretTable } from "./SecretTable";

const TYPES = ["S3", "azure", "gcs", "oss", "webhdfs"];
const S3_KEYS = (): Entry[] => [{ key: "AWS_ACCESS_KEY_ID", value: "" }, { key: "AWS_SECRET_ACCESS_KEY", value: "" }];
const SUFFIX = "-object-store-secret"; // the API lists `<name>-object-store-secret` and deletes by `<name>`
const EMPTY = { name: "", type: "S3", bucket: "", endpoint: "", region: "", pathPrefix: "" };
const META: [string, string][] = [["Type", "storage.ai.sap.com/type"], ["Bucket", "storage.ai.sap.com/bucket"],
  ["Endpoint", "storage.ai.sap.com/endpoint"], ["Region", "storage.ai.sap.com/region"], ["Path prefix", "storage.ai.sap.com/pathPrefix"]];

interface ObjectStoreSecret { name: string; metadata: Record<string, string> }

export function ObjectStoreSecrets({ group }: { group: string }) {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  const [form, setForm] = useState(EMPTY);
  const [entries, setEntries] = useState<Entry[]>(S3_KEYS);
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm((now) => ({ ...now, [key]: value }));
  const close = () => { setOpen(false); setForm(EMPTY); setEntries(S3_KEYS()); };
  const optional = (value: string) => value.trim() || undefined;
  return (
    <>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", padding: "0.5rem 0" }}>
        <Text>Object stores of resource group '{group}'. Credentials are write-only.</Text>
        <Button onClick={() => setOpen(true)}>Create object store secret</Button>
      </div>
      <SecretTable<ObjectStoreSecret> what="Object store secret" path="/v2/admin/objectStoreSecrets" group={undefined} version={version}
        deleteName={(s) => s.name.endsWith(SUFFIX) ? s.name.slice(0, -SUFFIX.length) : s.name}
        columns={META.map(([header, key]) => ({ header, cell: (s) => <Text>{s.metadata[key] ?? ""}</Text> }))} />
      <FormDialog open={open} title="Create object store secret" onClose={close}
        submit={() => api<{ message: string }>("/v2/admin/objectStoreSecrets", { method: "POST", body: {
          name: form.name.trim(), type: form.type, bucket: optional(form.bucket), endpoint: optional(form.endpoint),
          region: optional(form.region), pathPrefix: optional(form.pathPrefix), data: asObject(entries) } })}
        success={(answer) => `Object store secret '${form.name.trim()}': ${answer.message}`}
        onDone={() => { close(); setVersion((v) => v + 1); }}>
        <Field id="os-name" label="Secret name" required value={form.name} onValue={set("name")} />
        <FormItem labelContent={<Label for="os-type" required>Type</Label>}>
          <Select id="os-type" accessibleName="Type" onChange={(e) => set("type")(e.detail.selectedOption.textContent ?? "S3")}>
            {TYPES.map((type) => <Option key={type} selected={form.type === type}>{type}</Option>)}
          </Select>
        </FormItem>
        <Field id="os-bucket" label="Bucket" value={form.bucket} onValue={set("bucket")} />
        <Field id="os-endpoint" label="Endpoint" value={form.endpoint} onValue={set("endpoint")} placeholder="e.g. s3.eu-central-1.amazonaws.com" />
        <Field id="os-region" label="Region" value={form.region} onValue={set("region")} />
        <Field id="os-prefix" label="Path prefix" value={form.pathPrefix} onValue={set("pathPrefix")} />
        <KeyValueEditor label="Credentials (data)" entries={entries} onChange={setEntries} />
      </FormDialog>
    </>
  );
}
