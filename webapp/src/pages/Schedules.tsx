// Execution schedules of the resource group: list (paged on the server), create with a live cron preview,
// pause (INACTIVE), resume (ACTIVE), delete.
import { Button, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text } from "@ui5/webcomponents-react";
import { useCallback, useRef, useState } from "react";
import type { PageProps } from ".";
import { api, query } from "../api";
import { PAGE_SIZE, Pager } from "../components/admin/Pager";
import { ScheduleCreateDialog } from "../components/admin/ScheduleCreateDialog";
import { previewCron, utc } from "../components/admin/cron";
import { PageHeader } from "../components/PageHeader";
import { when } from "../components/time";
import { useOutcome } from "../outcome";
import { usePolling } from "../polling";

interface Schedule {
  id: string;
  name: string;
  cron: string;
  configurationId: string;
  start?: string;
  end?: string;
  status: "ACTIVE" | "INACTIVE";
  createdAt: string;
}

/** The next fires an active schedule will make, within its start/end window. */
function nextRuns(schedule: Schedule): string {
  if (schedule.status !== "ACTIVE") return "Paused";
  const now = new Date();
  const start = schedule.start ? new Date(schedule.start) : now;
  const preview = previewCron(schedule.cron, 3, start > now ? start : now);
  if (!preview.fires) return "";
  const fires = preview.fires.filter((date) => !schedule.end || date <= new Date(schedule.end));
  return fires.length ? fires.map(utc).join(", ") : "None: the schedule has ended";
}

export function Schedules({ group }: PageProps) {
  const { run, fail } = useOutcome();
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  const [count, setCount] = useState(0);
  const [skip, setSkip] = useState(0);
  const [creating, setCreating] = useState(false);
  const names = useRef<Record<string, string>>({});
  const load = useCallback(async () => {
    try {
      const answer = await api<{ count: number; resources: Schedule[] }>(`/v2/lm/executionSchedules${query({ $top: PAGE_SIZE, $skip: skip })}`);
      setSchedules(answer.resources);
      setCount(answer.count);
      // Names of the configurations on this page only (one GET each, remembered).
      const unknown = [...new Set(answer.resources.map((s) => s.configurationId))].filter((id) => !(id in names.current));
      await Promise.all(unknown.map((id) => api<{ name: string }>(`/v2/lm/configurations/${id}`)
        .then((c) => { names.current[id] = c.name; }).catch(() => { names.current[id] = ""; })));
    } catch (error) {
      fail(error);
    }
  }, [fail, skip]);
  usePolling(load, 10000, [group, skip]);

  const change = async (schedule: Schedule, status: "ACTIVE" | "INACTIVE") => {
    await run(() => api(`/v2/lm/executionSchedules/${schedule.id}`, { method: "PATCH", body: { status } }),
      status === "INACTIVE" ? `Schedule '${schedule.name}' paused.` : `Schedule '${schedule.name}' resumed.`);
    load();
  };
  const remove = async (schedule: Schedule) => {
    await run(() => api(`/v2/lm/executionSchedules/${schedule.id}`, { method: "DELETE" }), `Schedule '${schedule.name}' deleted.`);
    load();
  };
  return (
    <>
      <PageHeader title="Schedules" actions={<Button design="Emphasized" onClick={() => setCreating(true)}>Create</Button>} />
      <Table aria-label="Schedules" noDataText="No schedules in this resource group." headerRow={
        <TableHeaderRow>
          <TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Cron (UTC)</TableHeaderCell>
          <TableHeaderCell>Configuration</TableHeaderCell><TableHeaderCell>Start / end</TableHeaderCell>
          <TableHeaderCell minWidth="16rem">Next runs (UTC)</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell>
        </TableHeaderRow>}>
        {schedules.map((schedule) => (
          <TableRow key={schedule.id} rowKey={schedule.id}>
            <TableCell><Text>{schedule.name}</Text></TableCell>
            <TableCell><Tag design={schedule.status === "ACTIVE" ? "Positive" : "Critical"}>{schedule.status}</Tag></TableCell>
            <TableCell><Text style={{ fontFamily: "monospace" }}>{schedule.cron}</Text></TableCell>
            <TableCell><Text>{names.current[schedule.configurationId] ? `${names.current[schedule.configurationId]} (${schedule.configurationId})` : schedule.configurationId}</Text></TableCell>
            <TableCell><Text>{schedule.start ? when(schedule.start) : "now"} – {schedule.end ? when(schedule.end) : "open"}</Text></TableCell>
            <TableCell><Text>{nextRuns(schedule)}</Text></TableCell>
            <TableCell>
              {schedule.status === "ACTIVE"
                ? <Button design="Transparent" accessibleName={`Pause ${schedule.name}`} onClick={() => change(schedule, "INACTIVE")}>Pause</Button>
                : <Button design="Transparent" accessibleName={`Resume ${schedule.name}`} onClick={() => change(schedule, "ACTIVE")}>Resume</Button>}
              <Button design="Transparent" accessibleName={`Delete ${schedule.name}`} onClick={() => remove(schedule)}>Delete</Button>
            </TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager what="Schedules" skip={skip} count={count} shown={schedules.length} onSkip={setSkip} />
      <ScheduleCreateDialog open={creating} onClose={() => setCreating(false)} onCreated={() => { setCreating(false); load(); }} />
    </>
  );
}
