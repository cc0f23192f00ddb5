// Generic secrets of the resource group: key/value pairs, base64-encoded by the app as the API requires.
import { Button, Tag, Text } from "@ui5/webcomponents-react";
import { useState } from "react";
import { api } from "../../api";
import { when } from "../time";
import { Field, FormDialog } from "./FormDialog";
import { base64, Entry, KeyValueEditor } from "./KeyValueEditor";
import { SecretTable } from "./SecretTable";

interface GenericSecret { name: string; createdAt?: string; labels?: { key: string; value: string }[] }

const FIRST = (): Entry[] => [{ key: "", value: "" }];

export function GenericSecrets({ group }: { group: string }) {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  const [name, setName] = useState("");
  const [entries, setEntries] = useState<Entry[]>(FIRST);
  const close = () => { setOpen(false); setName(""); setEntries(FIRST()); };
  const data = () => Object.fromEntries(entries.filter((e) => e.key.trim()).map((e) => [e.key.trim(), base64(e.value)]));
  return (
    <>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", padding: "0.5rem 0" }}>
        <Text>Generic secrets of resource group '{group}'. Values are write-only.</Text>
        <Button onClick={() => setOpen(true)}>Create generic secret</Button>
      </div>
      <SecretTable<GenericSecret> what="Generic secret" path="/v2/admin/secrets" group={undefined} version={version} columns={[
        { header: "Created", cell: (s) => <Text>{when(s.createdAt)}</Text> },
        { header: "Labels", cell: (s) => <>{(s.labels ?? []).map((l) => <Tag key={l.key} design="Information">{`${l.key}=${l.value}`}</Tag>)}</> },
      ]} />
      <FormDialog open={open} title="Create generic secret" onClose={close}
        submit={() => api<{ name: string; message: string }>("/v2/admin/secrets", { method: "POST", body: { name: name.trim(), data: data() } })}
        success={(answer) => `Generic secret '${answer.name}': ${answer.message}`}
        onDone={() => { close(); setVersion((v) => v + 1); }}>
        <Field id="generic-name" label="Secret name" required value={name} onValue={setName} />
        <KeyValueEditor label="Data" entries={entries} onChange={setEntries} />
      </FormDialog>
    </>
  );
}
