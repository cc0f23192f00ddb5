// The executions of the resource group: one server page at a time ($top/$skip; the total from `count`), newest
// first, filtered by status, refreshed while visible; select rows to compare them, open one for its detail.
import {
  Button, Label, Option, Select, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, TableSelectionMulti, Text,
} from "@ui5/webcomponents-react";
import { useCallback, useState } from "react";
import { api, query } from "../../api";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { go } from "../../route";
import { PageHeader } from "../PageHeader";
import { when } from "../time";
import { StartExecutionDialog } from "./StartExecutionDialog";
import { Execution, STATUSES, StatusTag } from "./status";

const PAGE_SIZE = 50;
/** The last total seen per group and status filter: reopening the page then costs one request, not two. */
const lastTotals = new Map<string, number>();

export function ExecutionList({ group, status }: { group: string; status: string }) {
  const { fail } = useOutcome();
  const [rows, setRows] = useState<Execution[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [starting, setStarting] = useState(false);

  // The API lists oldest first and has no $orderby: the newest page is the last one, so the skip comes from the
  // total seen last time (one request per refresh; a second one only when the total moved since).
  const load = useCallback(async () => {
    try {
      const read = async (count: number | null) => {
        const skip = count === null ? 0 : Math.max(0, count - (page + 1) * PAGE_SIZE);
        const top = count === null ? PAGE_SIZE : Math.min(PAGE_SIZE, count - page * PAGE_SIZE);
        return { skip, answer: await api<{ count: number; resources: Execution[] }>("/v2/lm/executions" +
          query({ status, $top: Math.max(top, 0), $skip: skip })) };
      };
      const guess = lastTotals.get(`${group}|${status}`) ?? null;
      let { answer } = await read(guess);
      if (guess !== answer.count) ({ answer } = await read(answer.count));
      lastTotals.set(`${group}|${status}`, answer.count);
      setTotal(answer.count);
      setRows([...answer.resources].reverse());
    } catch (error) {
      fail(error);
    }
  }, [page, group, status, fail]);
  usePolling(load, 5000, [load]);

  const pages = total === null ? 1 : Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filter = (next: string) => {
    setPage(0);
    go("executions", undefined, next ? { status: next } : undefined);
  };
  return (
    <>
      <PageHeader title="Executions" actions={
        <>
          <Button disabled={selected.length < 2} onClick={() => go("compare", undefined, { ids: selected.join(",") })}>
            {`Compare (${selected.length})`}
          </Button>
          <Button design="Emphasized" onClick={() => setStarting(true)}>Start execution</Button>
        </>
      } />
      <div style={{ display: "flex", gap: "1rem", alignItems: "center", margin: "0.75rem 0" }}>
        <Label for="status-filter">Status</Label>
        <Select id="status-filter" accessibleName="Status filter" onChange={(e) => filter(e.detail.selectedOption.dataset.status!)}>
          <Option data-status="" selected={!status}>All</Option>
          {STATUSES.map((s) => <Option key={s} data-status={s} selected={s === status}>{s}</Option>)}
        </Select>
        <Text aria-live="polite">{total === null ? "Loading..." : `${total.toLocaleString()} execution(s)`}</Text>
      </div>
      <Table accessibleName="Executions" loading={total === null} noData={<Text>{total === null ? "Loading..." : "No executions."}</Text>} onRowClick={(e) => go("executions", e.detail.row.rowKey)}
        features={<TableSelectionMulti selected={selected.join(" ")}
          onChange={(e) => setSelected([...e.target.getSelectedAsSet()])} />}
        headerRow={
          <TableHeaderRow sticky>
            <TableHeaderCell>ID</TableHeaderCell><TableHeaderCell>Configuration</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell>
            <TableHeaderCell>Started</TableHeaderCell><TableHeaderCell>Completed</TableHeaderCell>
          </TableHeaderRow>}>
        {rows.map((e) => (
          <TableRow key={e.id} rowKey={e.id} interactive>
            <TableCell><Text>{e.id}</Text></TableCell>
            <TableCell><Text>{e.configurationName || e.configurationId}</Text></TableCell>
            <TableCell><StatusTag status={e.status} /></TableCell>
            <TableCell><Text>{when(e.createdAt)}</Text></TableCell>
            <TableCell><Text>{when(e.startTime)}</Text></TableCell>
            <TableCell><Text>{when(e.completionTime)}</Text></TableCell>
          </TableRow>
        ))}
      </Table>
      <div role="group" aria-label="Paging" style={{ display: "flex", gap: "0.5rem", alignItems: "center", justifyContent: "flex-end", marginTop: "0.5rem" }}>
        <Button design="Transparent" disabled={page === 0} onClick={() => setPage(page - 1)}>Newer</Button>
        <Text>{`Page ${page + 1} of ${pages.toLocaleString()}`}</Text>
        <Button design="Transparent" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Older</Button>
      </div>
      <StartExecutionDialog open={starting} onClose={() => setStarting(false)} onStarted={(id) => go("executions", id)} />
    </>
  );
}
