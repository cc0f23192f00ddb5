// Pick a configuration by typing part of its name: the API searches ($search), the box shows the first matches,
// so a group with thousands of configurations is never downloaded whole.
import { ComboBox, ComboBoxItem } from "@ui5/webcomponents-react";
import { useEffect, useState } from "react";
import { api, query } from "../../api";

export interface ConfigurationSummary {
  id: string;
  name: string;
  scenarioId: string;
  executableId: string;
}

export const configurationLabel = (c: ConfigurationSummary) => `${c.name} · ${c.executableId} · ${c.id.slice(0, 8)}`;

export function ConfigurationPicker({ onPick, id }: { onPick: (configuration: ConfigurationSummary | null) => void; id?: string }) {
  const [typed, setTyped] = useState("");
  const [found, setFound] = useState<ConfigurationSummary[]>([]);
  useEffect(() => {
    const stop = new AbortController();
    const search = typed.split(" · ")[0];
    api<{ resources: ConfigurationSummary[] }>(`/v2/lm/configurations${query({ $top: 50, $search: search || undefined, searchCaseInsensitive: search ? true : undefined })}`,
      { signal: stop.signal })
      .then((answer) => setFound(answer.resources))
      .catch(() => undefined);
    return () => stop.abort();
  }, [typed]);
  // The box holds text; the configuration is the one whose label that text is.
  const pick = (text: string) => found.find((c) => configurationLabel(c) === text) ?? null;
  return (
    <ComboBox id={id} accessibleName="Configuration" placeholder="Type to search configurations" filter="None"
      onInput={(e) => { setTyped(e.target.value); onPick(pick(e.target.value)); }}
      onChange={(e) => onPick(pick(e.target.value))}
      onSelectionChange={(e) => onPick(pick((e.detail.item as { text?: string } | null)?.text ?? ""))}>
      {found.map((c) => <ComboBoxItem key={c.id} data-id={c.id} text={configurationLabel(c)} />)}
    </ComboBox>
  );
}
