// A deployment's logs, re-read while the deployment is live (so new lines appear as the predictor writes them).
import { Panel } from "@ui5/webcomponents-react";
import { useState } from "react";
import { messageOf } from "../../outcome";
import { usePolling } from "../../polling";
import { LogLine, loadDeploymentLogs } from "./model";

export function DeploymentLogs({ id, live }: { id: string; live: boolean }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [problem, setProblem] = useState("");
  const read = async () => {
    try {
      setLines(await loadDeploymentLogs(id));
      setProblem("");
    } catch (error) {
      setProblem(messageOf(error));
    }
  };
  usePolling(read, 3000, [id], live);
  usePolling(read, 3_600_000, [id], !live); // once more when it stops: its last lines
  return (
    <Panel headerText={`Logs (${lines.length} lines${live ? ", following" : ""})`} style={{ marginTop: "1rem" }}>
      {problem && <p role="alert">{problem}</p>}
      <pre role="log" aria-label="Deployment logs" style={{ maxHeight: "20rem", overflow: "auto", margin: 0,
        fontSize: "0.8rem", whiteSpace: "pre-wrap" }}>
        {lines.length ? lines.map((l) => `${l.timestamp}  ${l.msg}`).join("\n") : "No log lines yet."}
      </pre>
    </Panel>
  );
}
