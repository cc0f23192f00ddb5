// Artifacts of the resource group: list (paged on the server, filtered by scenario and kind), register, and upload a
// dataset file through the dataset API, then register its folder as a dataset artifact.
import { Bar, Button, Label, MessageStrip, Option, Select, Table, TableCell, TableHeaderCell, TableHeaderRow, TableRow, Tag, Text } from "@ui5/webcomponents-react";
import { useCallback, useEffect, useState } from "react";
import type { PageProps } from ".";
import { api, query } from "../api";
import { ArtifactDraft, ArtifactRegisterDialog, EMPTY_DRAFT, KINDS } from "../components/admin/ArtifactRegisterDialog";
import { DatasetUploadDialog } from "../components/admin/DatasetUploadDialog";
import { PAGE_SIZE, Pager } from "../components/admin/Pager";
import { PageHeader } from "../components/PageHeader";
import { when } from "../components/time";
import { useOutcome } from "../outcome";
import { usePolling } from "../polling";

interface Artifact {
  id: string; name: string; kind: string; url: string; scenarioId: string; executionId?: string;
  description?: string; createdAt: string;
}

export function Artifacts({ group, params }: PageProps) {
  const { fail } = useOutcome();
  const [artifacts, setArtifacts] = useState<Artifact[]>([]);
  const [count, setCount] = useState(0);
  const [skip, setSkip] = useState(0);
  const [scenario, setScenario] = useState(params.get("scenarioId") ?? "");
  const [kind, setKind] = useState(params.get("kind") ?? "");
  const [scenarios, setScenarios] = useState<string[]>([]);
  const [registering, setRegistering] = useState<ArtifactDraft | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploaded, setUploaded] = useState("");
  useEffect(() => {
    api<{ resources: { id: string }[] }>("/v2/lm/scenarios")
      .then((answer) => setScenarios(answer.resources.map((s) => s.id)))
      .catch(fail);
  }, [group, fail]);
  const load = useCallback(async () => {
    try {
      const answer = await api<{ count: number; resources: Artifact[] }>(`/v2/lm/artifacts${query({
        $top: PAGE_SIZE, $skip: skip, scenarioId: scenario, kind })}`);
      setArtifacts(answer.resources);
      setCount(answer.count);
    } catch (error) {
      fail(error);
    }
  }, [fail, skip, scenario, kind]);
  usePolling(load, 10000, [group, skip, scenario, kind]);
  const folderOf = (url: string) => url.replace(/\/[^/]*$/, "");
  return (
    <>
      <PageHeader title="Artifacts" actions={<>
        <Button onClick={() => setUploading(true)}>Upload dataset file</Button>
        <Button design="Emphasized" onClick={() => setRegistering(EMPTY_DRAFT)}>Register</Button>
      </>} />
      {uploaded && (
        <MessageStrip design="Information" onClose={() => setUploaded("")} style={{ margin: "0.5rem 1rem 0", width: "auto" }}>
          Uploaded {uploaded}.{" "}
          <Button design="Transparent" onClick={() => setRegistering({ ...EMPTY_DRAFT, kind: "dataset", url: folderOf(uploaded),
            name: folderOf(uploaded).split("/").pop() ?? "" })}>Register folder as dataset artifact</Button>
        </MessageStrip>
      )}
      <Bar design="Subheader" startContent={<>
        <Label for="filter-scenario">Scenario</Label>
        <Select id="filter-scenario" accessibleName="Filter by scenario" onChange={(e) => { setScenario(e.detail.selectedOption.dataset.value ?? ""); setSkip(0); }}>
          <Option data-value="" selected={!scenario}>All scenarios</Option>
          {scenarios.map((id) => <Option key={id} data-value={id} selected={scenario === id}>{id}</Option>)}
        </Select>
        <Label for="filter-kind">Kind</Label>
        <Select id="filter-kind" accessibleName="Filter by kind" onChange={(e) => { setKind(e.detail.selectedOption.dataset.value ?? ""); setSkip(0); }}>
          <Option data-value="" selected={!kind}>All kinds</Option>
          {KINDS.map((k) => <Option key={k} data-value={k} selected={kind === k}>{k}</Option>)}
        </Select>
      </>} />
      <Table aria-label="Artifacts" noDataText="No artifacts match." headerRow={
        <TableHeaderRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell width="7rem">Kind</TableHeaderCell>
          <TableHeaderCell minWidth="14rem">URL</TableHeaderCell><TableHeaderCell>Scenario</TableHeaderCell>
          <TableHeaderCell>Execution</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell><TableHeaderCell>Description</TableHeaderCell></TableHeaderRow>}>
        {artifacts.map((artifact) => (
          <TableRow key={artifact.id} rowKey={artifact.id}>
            <TableCell><Text>{artifact.name}</Text></TableCell>
            <TableCell><Tag design="Information">{artifact.kind}</Tag></TableCell>
            <TableCell><Text>{artifact.url}</Text></TableCell>
            <TableCell><Text>{artifact.scenarioId}</Text></TableCell>
            <TableCell><Text>{artifact.executionId ?? ""}</Text></TableCell>
            <TableCell><Text>{when(artifact.createdAt)}</Text></TableCell>
            <TableCell><Text>{artifact.description ?? ""}</Text></TableCell>
          </TableRow>
        ))}
      </Table>
      <Pager what="Artifacts" skip={skip} count={count} shown={artifacts.length} onSkip={setSkip} />
      <ArtifactRegisterDialog open={registering !== null} draft={registering ?? EMPTY_DRAFT} scenarios={scenarios}
        onClose={() => setRegistering(null)} onDone={() => { setRegistering(null); setUploaded(""); load(); }} />
      <DatasetUploadDialog open={uploading} onClose={() => setUploading(false)} onUploaded={(url) => { setUploading(false); setUploaded(url); load(); }} />
    </>
  );
}
