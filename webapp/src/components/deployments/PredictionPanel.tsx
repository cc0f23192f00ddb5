// Send a prediction request to the deployment's URL, as a client would: the user's token and resource group.
import { Button, Input, Label, Panel, Tag, TextArea } from "@ui5/webcomponents-react";
import { useState } from "react";
import { ApiError, apiRaw } from "../../api";
import { messageOf } from "../../outcome";

const EXAMPLE_BODY = JSON.stringify({ instances: ["The screen is excellent. I love it", "It keeps crashing"] }, null, 2);

/** The app calls only its own origin (its CSP says so): a deployment URL on this stack becomes a same-origin path;
 * 127.0.0.1 and localhost on the same port are the same stack. */
function target(deploymentUrl: string, path: string): string {
  const url = new URL(deploymentUrl);
  const here = window.location;
  const loopback = (host: string) => ["127.0.0.1", "localhost", "[::1]"].includes(host);
  const sameStack = url.origin === here.origin || (loopback(url.hostname) && loopback(here.hostname) && url.port === here.port);
  const joined = url.pathname.replace(/\/$/, "") + (path.startsWith("/") ? path : "/" + path);
  return sameStack ? joined : url.origin + joined;
}

interface Answer {
  ok: boolean;
  status: string;
  body: string;
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function PredictionPanel({ deploymentUrl, model, running }: { deploymentUrl: string; model: string; running: boolean }) {
  const [path, setPath] = useState(`/v1/models/${model}:predict`);
  const [body, setBody] = useState(EXAMPLE_BODY);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [sending, setSending] = useState(false);
  const send = async () => {
    setSending(true);
    try {
      JSON.parse(body); // a typo in the body is the user's to fix, not the predictor's to reject
      const response = await apiRaw(target(deploymentUrl, path), { method: "POST", raw: body, contentType: "application/json" });
      setAnswer({ ok: true, status: `${response.status} ${response.statusText}`.trim(), body: pretty(await response.text()) });
    } catch (error) {
      const status = error instanceof ApiError ? String(error.status) : "Not sent";
      setAnswer({ ok: false, status, body: messageOf(error) });
    } finally {
      setSending(false);
    }
  };
  return (
    <Panel headerText="Prediction" style={{ marginTop: "1rem" }}>
      <div style={{ display: "grid", gridTemplateColumns: "8rem 1fr", gap: "0.5rem", alignItems: "center" }}>
        <Label for="prediction-path">Path</Label>
        <Input id="prediction-path" accessibleName="Path" style={{ width: "100%" }} value={path} onInput={(e) => setPath(e.target.value)} />
        <Label for="prediction-body">Request body</Label>
        <TextArea id="prediction-body" accessibleName="Request body" rows={6} value={body}
          onInput={(e) => setBody(e.target.value)} />
      </div>
      <div style={{ display: "flex", gap: "0.5rem", alignItems: "center", margin: "0.5rem 0" }}>
        <Button design="Emphasized" icon="paper-plane" disabled={!deploymentUrl || sending} onClick={send}>Send</Button>
        {!running && <span>The deployment is not running: the request may fail.</span>}
      </div>
      {answer && (
        <section role="region" aria-label="Prediction response">
          <Tag design={answer.ok ? "Positive" : "Negative"}>{answer.status}</Tag>
          <pre style={{ fontSize: "0.8rem", whiteSpace: "pre-wrap" }}>{answer.body}</pre>
        </section>
      )}
    </Panel>
  );
}
