// Pick executions to compare on the Compare page itself: the 50 newest of the group, as check boxes.
import { Button, CheckBox, Panel, Text } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api, query } from "../../api";
import { go } from "../../route";
import { when } from "../time";
import { Execution } from "./status";

const RECENT = 50;

export function ExecutionPicker({ chosen }: { chosen: string[] }) {
  const [recent, setRecent] = useState<Execution[]>([]);
  const [picked, setPicked] = useState<string[]>(chosen);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    (async () => {
      // Oldest first on the API: the count says where the newest page starts.
      const total = (await api<{ count: number }>("/v2/lm/executions" + query({ $top: 0 }))).count;
      const page = await api<{ resources: Execution[] }>("/v2/lm/executions" + query({ $top: RECENT, $skip: Math.max(0, total - RECENT) }));
      setRecent([...page.resources].reverse());
    })().catch((error) => setProblem(error instanceof Error ? error.message : String(error)));
  }, []);
  useEffect(() => setPicked(chosen), [chosen.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const toggle = (id: string, on: boolean) => setPicked((now) => (on ? [...now, id] : now.filter((x) => x !== id)));
  return (
    <Panel headerText="Pick executions" headerLevel="H2" collapsed={chosen.length >= 2}>
      {problem && <p role="alert">{problem}</p>}
      <div role="group" aria-label="Recent executions" style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(360px, 1fr))" }}>
        {recent.map((e) => (
          <CheckBox key={e.id} checked={picked.includes(e.id)} onChange={(ev) => toggle(e.id, ev.target.checked)}
            text={`${e.configurationName || e.configurationId} · ${e.id} · ${e.status} · ${when(e.createdAt)}`}
            accessibleName={`Pick ${e.id}`} />
        ))}
      </div>
      {recent.length === 0 && !problem && <Text>No executions in this resource group.</Text>}
      <Button design="Emphasized" disabled={picked.length < 2} onClick={() => go("compare", undefined, { ids: picked.join(",") })}>
        {`Compare selected (${picked.length})`}
      </Button>
    </Panel>
  );
}
