// The execution's output artifacts (GET /v2/lm/artifacts?executionId=...).
import { Table, TableCell, Text, TableHeaderCell, TableHeaderRow, TableRow } from "@ui5/webcomponents-react";
import { useCallback, useEffect, useState } from "react";
import { api, query } from "../../api";
import { usePolling } from "../../polling";
import { when } from "../time";
import { Artifact } from "./status";

export function ArtifactTable({ executionId, live }: { executionId: string; live: boolean }) {
  const [artifacts, setArtifacts] = useState<Artifact[]>([]);
  const [problem, setProblem] = useState("");
  const read = useCallback(async () => {
    try {
      setArtifacts((await api<{ resources: Artifact[] }>("/v2/lm/artifacts" + query({ executionId, $top: 100 }))).resources);
      setProblem("");
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [executionId]);
  usePolling(read, 5000, [executionId], live);
  useEffect(() => {
    if (!live) read();
  }, [live, read]);
  if (problem) return <p role="alert">{problem}</p>;
  return (
    <Table accessibleName="Output artifacts" noData={<Text>No output artifacts.</Text>} headerRow={
      <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Kind</TableHeaderCell>
        <TableHeaderCell>URL</TableHeaderCell><TableHeaderCell>ID</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell></TableHeaderRow>}>
      {artifacts.map((a) => (
        <TableRow key={a.id} rowKey={a.id}>
          <TableCell>{a.name}</TableCell><TableCell>{a.kind}</TableCell><TableCell>{a.url}</TableCell>
          <TableCell>{a.id}</TableCell><TableCell>{when(a.createdAt)}</TableCell>
        </TableRow>
      ))}
    </Table>
  );
}
