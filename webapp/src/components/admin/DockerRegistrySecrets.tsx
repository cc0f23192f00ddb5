// Docker-registry secrets (tenant level): the app builds the `.dockerconfigjson` from server, username and password.
import { Button, Text } from "@ui5/webcomponents-react";
import { useState } from "react";
import { api } from "../../api";
import { Field, FormDialog } from "./FormDialog";
import { base64 } from "./KeyValueEditor";
import { SecretTable } from "./SecretTable";

const EMPTY = { name: "", server: "", username: "", password: "" };

function dockerConfig(server: string, username: string, password: string): string {
  return JSON.stringify({ auths: { [server]: { username, password, auth: base64(`${username}:${password}`) } } });
}

export function DockerRegistrySecrets() {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  const [form, setForm] = useState(EMPTY);
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm((now) => ({ ...now, [key]: value }));
  const close = () => { setOpen(false); setForm(EMPTY); };
  return (
    <>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", padding: "0.5rem 0" }}>
        <Text>Registries that images are pulled from (tenant level). Credentials are write-only.</Text>
        <Button onClick={() => setOpen(true)}>Create docker registry secret</Button>
      </div>
      <SecretTable<{ name: string }> what="Docker registry secret" path="/v2/admin/dockerRegistrySecrets" group={null} version={version} columns={[]} />
      <FormDialog open={open} title="Create docker registry secret" onClose={close}
        submit={() => api<{ message: string }>("/v2/admin/dockerRegistrySecrets", { method: "POST", group: null, body: {
          name: form.name.trim(), data: { ".dockerconfigjson": dockerConfig(form.server.trim(), form.username, form.password) } } })}
        success={(answer) => `Docker registry secret '${form.name.trim()}': ${answer.message}`}
        onDone={() => { close(); setVersion((v) => v + 1); }}>
        <Field id="docker-name" label="Secret name" required value={form.name} onValue={set("name")} />
        <Field id="docker-server" label="Registry server" required value={form.server} onValue={set("server")} placeholder="e.g. docker.io" />
        <Field id="docker-username" label="Registry username" required value={form.username} onValue={set("username")} />
        <Field id="docker-password" label="Registry password" type="Password" required value={form.password} onValue={set("password")} />
      </FormDialog>
    </>
  );
}
