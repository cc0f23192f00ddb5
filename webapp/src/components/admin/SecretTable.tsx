// A list of secrets of one kind: names and non-secret metadata only (the API never returns data), paged on the
// server, each with a Delete button.
import { Button, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Text } from "@ui5/webcomponents-react";
import { ReactNode, useCallback, useState } from "react";
import { api, query } from "../../api";
import { useOutcome } from "../../outcome";
import { usePolling } from "../../polling";
import { PAGE_SIZE, Pager } from "./Pager";

export interface Column<T> { header: string; cell: (item: T) => ReactNode }

export function SecretTable<T extends { name: string }>({ what, path, group, columns, deleteName, version }: {
  what: string; path: string; group: string | null | undefined; columns: Column<T>[];
  deleteName?: (item: T) => string; version: number;
}) {
  const { run, fail } = useOutcome();
  const [items, setItems] = useState<T[]>([]);
  const [count, setCount] = useState(0);
  const [skip, setSkip] = useState(0);
  const load = useCallback(async () => {
    try {
      const answer = await api<{ count: number; resources: T[] }>(`${path}${query({ $top: PAGE_SIZE, $skip: skip, $count: true })}`, { group });
      setItems(answer.resources);
      setCount(answer.count);
    } catch (error) {
      fail(error);
    }
  }, [fail, path, group, skip]);
  usePolling(load, 10000, [path, group, skip, version]);
  const remove = async (item: T) => {
    const name = deleteName ? deleteName(item) : item.name;
    await run(() => api(`${path}/${encodeURIComponent(name)}`, { method: "DELETE", group }), `${what} '${name}' deleted.`);
    load();
  };
  return (
    <>
      <Table aria-label={`${what}s`} noDataText={`No ${what.toLowerCase()}s.`} headerRow={
        <TableHeaderRow>
          <TableHeaderCell>Name</TableHeaderCell>
          {columns.map((column) => <TableHeaderCell key={column.header}>{column.header}</TableHeaderCell>)}
          <TableHeaderCell width="8rem">Actions</TableHeaderCell>
        </TableHeaderRow>}>
        {items.map((item) => (
          <TableRow key={item.name} rowKey={item.name}>
            <TableCell><Text>{item.name}</Text></TableCell>
            {columns.map((column) => <TableCell key={column.header}>{column.cell(item)}</TableCell>)}
            <TableCell><Button design="Transparent" accessibleName={`Delete ${item.name}`} onClick={() => remove(item)}>Delete</Button></TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager what={`${what}s`} skip={skip} count={count} shown={items.length} onSkip={setSkip} />
    </>
  );
}
