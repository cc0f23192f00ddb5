// Applications (what to sync from which repository): list with each one's sync and health status, create,
// Refresh (sync now), delete; the per-file results of each application below the list.
import { Button, Option, Select, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text, Title, FormItem, Label } from "@ui5/webcomponents-react";
import { useCallback, useState } from "react";
import { api, query } from "../../api";
import { messageOf, useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { ApplicationResources, ApplicationSyncStatus, healthDesign, syncDesign } from "./ApplicationStatus";
import { Field, FormDialog } from "./FormDialog";
import { PAGE_SIZE, Pager } from "./Pager";

interface Application { applicationName: string; repositoryUrl: string; revision: string; path: string }

const EMPTY = { name: "", repositoryUrl: "", revision: "HEAD", path: "" };

export function Applications({ repositoryUrls, version }: { repositoryUrls: string[]; version: number }) {
  const { run, fail } = useOutcome();
  const [applications, setApplications] = useState<Application[]>([]);
  const [statuses, setStatuses] = useState<Record<string, ApplicationSyncStatus | string>>({});
  const [count, setCount] = useState(0);
  const [skip, setSkip] = useState(0);
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(EMPTY);
  const load = useCallback(async () => {
    try {
      const answer = await api<{ count: number; resources: Application[] }>(
        `/v2/admin/applications${query({ $top: PAGE_SIZE, $skip: skip, $count: true })}`, { group: null });
      setApplications(answer.resources);
      setCount(answer.count);
      // Only the applications on this page: one status call each.
      const seen = await Promise.all(answer.resources.map((app) =>
        api<ApplicationSyncStatus>(`/v2/admin/applications/${encodeURIComponent(app.applicationName)}/status`, { group: null })
          .catch((error) => messageOf(error))));
      setStatuses(Object.fromEntries(answer.resources.map((app, i) => [app.applicationName, seen[i]])));
    } catch (error) {
      fail(error);
    }
  }, [fail, skip]);
  usePolling(load, 3000, [skip, version]);
  const act = async (name: string, how: "refresh" | "delete") => {
    const path = `/v2/admin/applications/${encodeURIComponent(name)}`;
    await run(() => how === "refresh" ? api(`${path}/refresh`, { method: "POST", group: null }) : api(path, { method: "DELETE", group: null }),
      how === "refresh" ? `Refresh of '${name}' scheduled.` : `Application '${name}' deleted.`);
    load();
  };
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm((now) => ({ ...now, [key]: value }));
  const close = () => { setOpen(false); setForm(EMPTY); };
  return (
    <section aria-label="Applications">
      <div style={{ display: "flex", alignItems: "center", justifyContent: "space-between", padding: "1rem 1rem 0.5rem" }}>
        <Title level="H2" size="H4">Applications</Title>
        <Button onClick={() => setOpen(true)}>Create application</Button>
      </div>
      <Table aria-label="Applications" noDataText="No applications." headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Repository / revision / path</TableHeaderCell>
          <TableHeaderCell>Sync</TableHeaderCell><TableHeaderCell>Health</TableHeaderCell>
          <TableHeaderCell minWidth="14rem">Message</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell></TableHeaderRow>}>
        {applications.map((app) => {
          const status = statuses[app.applicationName];
          const known = typeof status === "object" ? status : undefined;
          return (
            <TableRow key={app.applicationName} rowKey={app.applicationName}>
              <TableCell><Text>{app.applicationName}</Text></TableCell>
              <TableCell><Text>{app.repositoryUrl} @ {app.revision} : {app.path}</Text></TableCell>
              <TableCell>{known && <Tag design={syncDesign(known.syncStatus)}>{known.syncStatus}</Tag>}</TableCell>
              <TableCell>{known && <Tag design={healthDesign(known.healthStatus)}>{known.healthStatus}</Tag>}</TableCell>
              <TableCell><Text>{known ? known.message : (status as string | undefined)}</Text></TableCell>
              <TableCell>
                <Button design="Transparent" icon="refresh" accessibleName={`Refresh ${app.applicationName}`} onClick={() => act(app.applicationName, "refresh")}>Refresh</Button>
                <Button design="Transparent" accessibleName={`Delete application ${app.applicationName}`} onClick={() => act(app.applicationName, "delete")}>Delete</Button>
              </TableCell>
            </TableRow>
          );
        })}
      </Table>
      <Pager what="Applications" skip={skip} count={count} shown={applications.length} onSkip={setSkip} />
      {applications.map((app) => {
        const status = statuses[app.applicationName];
        return typeof status === "object" ? <ApplicationResources key={app.applicationName} name={app.applicationName} status={status} /> : null;
      })}
      <FormDialog open={open} title="Create application" onClose={close}
        submit={() => api<{ id: string; message: string }>("/v2/admin/applications", { method: "POST", group: null,
          body: { applicationName: form.name.trim() || undefined, repositoryUrl: form.repositoryUrl.trim(), revision: form.revision.trim(), path: form.path.trim() } })}
        success={(answer) => `Application '${answer.id}' created: ${answer.message}`}
        onDone={() => { close(); load(); }}>
        <FormItem labelContent={<Label for="app-repository" required>Repository URL</Label>}>
          <Select id="app-repository" accessibleName="Repository URL" onChange={(e) => set("repositoryUrl")(e.detail.selectedOption.dataset.url ?? "")}>
            <Option data-url="" selected={!form.repositoryUrl}>Choose a registered repository</Option>
            {repositoryUrls.map((url) => <Option key={url} data-url={url} selected={form.repositoryUrl === url}>{url}</Option>)}
          </Select>
        </FormItem>
        <Field id="app-revision" label="Revision" required value={form.revision} onValue={set("revision")} placeholder="HEAD, a branch, tag or commit" />
        <Field id="app-path" label="Path" required value={form.path} onValue={set("path")} placeholder="folder of templates, e.g. templates" />
        <Field id="app-name" label="Application name" value={form.name} onValue={set("name")} placeholder="optional; derived from the repository" />
      </FormDialog>
    </section>
  );
}
