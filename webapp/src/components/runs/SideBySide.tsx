// A table of values per execution, one row per key; rows whose values differ are marked "differs" (text, bold,
// Critical state) so the difference is seen and announced, not only coloured.
import { ObjectStatus, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text } from "@ui5/webcomponents-react";

export function SideBySide({ title, keyLabel, columns, rows }: {
  title: string;
  keyLabel: string;
  columns: { id: string; label: string }[];
  rows: { key: string; values: (string | undefined)[] }[];
}) {
  return (
    <Table accessibleName={title} noData={<Text>Nothing to compare.</Text>} headerRow={
      <TableHeaderRow>
        <TableHeaderCell>{keyLabel}</TableHeaderCell>
        {columns.map((c) => <TableHeaderCell key={c.id}>{c.label}</TableHeaderCell>)}
      </TableHeaderRow>}>
      {rows.map((row) => {
        const differs = new Set(row.values.map((v) => v ?? "")).size > 1;
        return (
          <TableRow key={row.key} rowKey={row.key} data-differs={differs ? "true" : "false"} aria-label={differs ? `${row.key} differs` : row.key}>
            <TableCell>
              <Text style={{ fontWeight: differs ? "bold" : undefined }}>{row.key}</Text>
              {differs && <Tag design="Critical" style={{ marginLeft: 8 }}>differs</Tag>}
            </TableCell>
            {row.values.map((value, i) => (
              <TableCell key={columns[i].id}>
                {differs
                  ? <ObjectStatus state="Critical" style={{ fontWeight: "bold" }}>{value ?? "–"}</ObjectStatus>
                  : <Text>{value ?? "–"}</Text>}
              </TableCell>
            ))}
          </TableRow>
        );
      })}
    </Table>
  );
}
