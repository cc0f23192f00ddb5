// Live logs of an execution: reads only what is new (`start` = the last timestamp seen), appends, follows the end
// while the reader is at the bottom, and stops polling once the run has ended (after one last read).
import { useCallback, useEffect, useRef, useState } from "react";
import { api, query } from "../../api";
import { usePolling } from "../../polling";

interface LogLine {
  timestamp: string;
  msg: string;
  pod?: string;
  container?: string;
  stream?: string;
}

const PAGE = 1000;

export function LogViewer({ executionId, live }: { executionId: string; live: boolean }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [problem, setProblem] = useState("");
  const [drained, setDrained] = useState(false);
  const last = useRef<{ timestamp?: string; seen: Set<string> }>({ seen: new Set() });
  const box = useRef<HTMLPreElement>(null);
  const follow = useRef(true);

  const read = useCallback(async () => {
    try {
      // `start` is inclusive: lines at exactly the last timestamp come again and are skipped by their key.
      for (let more = true; more;) {
        const answer = await api<{ data: { result: LogLine[] } }>(`/v2/lm/executions/${encodeURIComponent(executionId)}/logs` +
          query({ start: last.current.timestamp, $top: PAGE }));
        const result = answer.data?.result || [];
        const fresh = result.filter((line) => !last.current.seen.has(key(line)));
        if (fresh.length) {
          const newest = fresh[fresh.length - 1].timestamp;
          if (newest !== last.current.timestamp) last.current = { timestamp: newest, seen: new Set() };
          fresh.filter((l) => l.timestamp === newest).forEach((l) => last.current.seen.add(key(l)));
          setLines((known) => known.concat(fresh));
        }
        more = result.length === PAGE && fresh.length > 0;
      }
      setProblem("");
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [executionId]);

  usePolling(read, 2000, [executionId], live);
  useEffect(() => {
    if (!live && !drained) read().then(() => setDrained(true));
  }, [live, drained, read]);
  useEffect(() => {
    if (follow.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  return (
    <div>
      {problem && <p role="alert">{problem}</p>}
      <pre ref={box} aria-label="Execution logs" tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        style={{ maxHeight: 320, overflow: "auto", margin: 0, padding: "0.5rem", fontSize: 12,
          background: "var(--sapShell_Background)", border: "1px solid var(--sapList_BorderColor)" }}>
        {lines.length === 0 ? (live ? "Waiting for logs..." : "No logs.") :
          lines.map((line) => `${line.timestamp}  ${shortPod(line.pod)}${line.msg}`).join("\n")}
      </pre>
    </div>
  );
}

function key(line: LogLine): string {
  return `${line.timestamp}|${line.pod}|${line.stream}|${line.msg}`;
}

function shortPod(pod?: string): string {
  const step = pod?.match(/-([a-z0-9-]+)-\d+$/)?.[1];
  return step ? `[${step}] ` : "";
}
