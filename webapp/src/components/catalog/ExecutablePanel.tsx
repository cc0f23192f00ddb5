// One executable of a scenario: its parameters, input and output artifacts, and whether it serves (deployable).
import { Button, Panel, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text, Title } from "@ui5/webcomponents-react";
import { go } from "../../route";
import type { ArtifactArgument, Executable } from "./model";

export function ExecutablePanel({ executable }: { executable: Executable }) {
  const kind = executable.deployable ? "Serving" : "Workflow";
  return (
    <Panel headerText={`${executable.name} (${kind.toLowerCase()})`} accessibleName={`Executable ${executable.id}`}
      style={{ marginTop: "1rem" }}>
      <div style={{ display: "flex", gap: "0.75rem", alignItems: "center", flexWrap: "wrap" }}>
        <Tag hideStateIcon colorScheme={executable.deployable ? "6" : "5"}>{executable.deployable ? "Deployable" : "Not deployable"}</Tag>
        <Text>ID {executable.id} · version {executable.versionId}</Text>
        {executable.description && <Text>{executable.description}</Text>}
        <Button design="Emphasized" icon="add" accessibleName={`Create configuration of ${executable.id}`}
          onClick={() => go("configurations", undefined,
            { create: "1", scenarioId: executable.scenarioId, executableId: executable.id })}>
          Create configuration
        </Button>
      </div>
      <Title level="H3" size="H5" style={{ margin: "1rem 0 0.5rem" }}>Parameters</Title>
      <Table accessibleName={`Parameters of ${executable.id}`} noDataText="No parameters" headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell>
          <TableHeaderCell>Default</TableHeaderCell><TableHeaderCell>Description</TableHeaderCell></TableHeaderRow>}>
        {executable.parameters.map((p) => (
          <TableRow key={p.name} rowKey={p.name}>
            <TableCell>{p.name}</TableCell><TableCell>{p.type || "string"}</TableCell>
            <TableCell>{p.default ?? ""}</TableCell><TableCell>{p.description ?? ""}</TableCell>
          </TableRow>
        ))}
      </Table>
      <ArtifactTable title="Input artifacts" executableId={executable.id} artifacts={executable.inputArtifacts} />
      <ArtifactTable title="Output artifacts" executableId={executable.id} artifacts={executable.outputArtifacts} />
    </Panel>
  );
}

function ArtifactTable({ title, executableId, artifacts }: { title: string; executableId: string; artifacts: ArtifactArgument[] }) {
  return (
    <>
      <Title level="H3" size="H5" style={{ margin: "1rem 0 0.5rem" }}>{title}</Title>
      <Table accessibleName={`${title} of ${executableId}`} noDataText={`No ${title.toLowerCase()}`} headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Kind</TableHeaderCell>
          <TableHeaderCell>Description</TableHeaderCell></TableHeaderRow>}>
        {artifacts.map((a) => (
          <TableRow key={a.name} rowKey={a.name}>
            <TableCell>{a.name}</TableCell><TableCell>{a.kind || "any"}</TableCell><TableCell>{a.description ?? ""}</TableCell>
          </TableRow>
        ))}
      </Table>
    </>
  );
}
