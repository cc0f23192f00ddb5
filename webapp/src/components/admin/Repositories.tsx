// Git repositories of the tenant: list with status, register (URL, username, password), delete. The password goes
// to the API once and is cleared from the form: it is never shown again (the API never returns it either).
import { Button, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text, Title } from "@ui5/webcomponents-react";
import { useCallback, useState } from "react";
import { api, query } from "../../api";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { Field, FormDialog } from "./FormDialog";
import { PAGE_SIZE, Pager } from "./Pager";

interface Repository { name: string; url: string; status: string }

const statusDesign = (status: string) => (status === "COMPLETED" ? "Positive" : status === "ERROR" ? "Negative" : "Information");

export function Repositories({ onChanged }: { onChanged: () => void }) {
  const { run, fail } = useOutcome();
  const [repositories, setRepositories] = useState<Repository[]>([]);
  const [count, setCount] = useState(0);
  const [skip, setSkip] = useState(0);
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ name: "", url: "", username: "", password: "" });
  const load = useCallback(async () => {
    try {
      const answer = await api<{ count: number; resources: Repository[] }>(
        `/v2/admin/repositories${query({ $top: PAGE_SIZE, $skip: skip, $count: true })}`, { group: null });
      setRepositories(answer.resources);
      setCount(answer.count);
    } catch (error) {
      fail(error);
    }
  }, [fail, skip]);
  usePolling(load, 5000, [skip]);
  const close = () => { setOpen(false); setForm({ name: "", url: "", username: "", password: "" }); };
  const remove = async (name: string) => {
    await run(() => api(`/v2/admin/repositories/${encodeURIComponent(name)}`, { method: "DELETE", group: null }),
      `Repository '${name}' deleted.`);
    load();
    onChanged();
  };
  const set = (key: keyof typeof form) => (value: string) => setForm((now) => ({ ...now, [key]: value }));
  return (
    <section aria-label="Repositories">
      <div style={{ display: "flex", alignItems: "center", justifyContent: "space-between", padding: "1rem 1rem 0.5rem" }}>
        <Title level="H2" size="H4">Repositories</Title>
        <Button onClick={() => setOpen(true)}>Register repository</Button>
      </div>
      <Table aria-label="Repositories" noDataText="No repositories registered." headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>URL</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell></TableHeaderRow>}>
        {repositories.map((repository) => (
          <TableRow key={repository.name} rowKey={repository.name}>
            <TableCell><Text>{repository.name}</Text></TableCell>
            <TableCell><Text>{repository.url}</Text></TableCell>
            <TableCell><Tag design={statusDesign(repository.status)}>{repository.status}</Tag></TableCell>
            <TableCell><Button design="Transparent" accessibleName={`Delete repository ${repository.name}`} onClick={() => remove(repository.name)}>Delete</Button></TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager what="Repositories" skip={skip} count={count} shown={repositories.length} onSkip={setSkip} />
      <FormDialog open={open} title="Register repository" onClose={close}
        submit={() => api<{ id: string; message: string }>("/v2/admin/repositories", { method: "POST", group: null,
          body: { name: form.name.trim() || undefined, url: form.url.trim(), username: form.username, password: form.password } })}
        success={(answer) => `Repository '${answer.id}' registered: ${answer.message}`}
        onDone={() => { close(); load(); onChanged(); }}>
        <Field id="repo-url" label="Repository URL" required value={form.url} onValue={set("url")} placeholder="https://github.com/org/repo" />
        <Field id="repo-name" label="Repository name" value={form.name} onValue={set("name")} placeholder="optional; derived from the URL" />
        <Field id="repo-username" label="Username" value={form.username} onValue={set("username")} />
        <Field id="repo-password" label="Password or token" type="Password" value={form.password} onValue={set("password")} />
      </FormDialog>
    </section>
  );
}
