// Secret entries as key/value rows. Values are password fields: typed once, masked, never shown again.
import { Button, FormItem, Input, Label } from "@ui5/webcomponents-react";

export interface Entry { key: string; value: string }

export function KeyValueEditor({ label, entries, onChange }: { label: string; entries: Entry[]; onChange: (entries: Entry[]) => void }) {
  const update = (index: number, change: Partial<Entry>) => onChange(entries.map((e, i) => (i === index ? { ...e, ...change } : e)));
  return (
    <FormItem labelContent={<Label>{label}</Label>}>
      <div style={{ display: "flex", flexDirection: "column", gap: "0.25rem", width: "100%" }}>
        {entries.map((entry, index) => (
          <div key={index} style={{ display: "flex", gap: "0.5rem" }}>
            <Input accessibleName={`Key ${index + 1}`} placeholder="key" value={entry.key} onInput={(e) => update(index, { key: e.target.value })} />
            <Input accessibleName={`Value ${index + 1}`} placeholder="value" type="Password" value={entry.value} onInput={(e) => update(index, { value: e.target.value })} />
            <Button design="Transparent" icon="decline" accessibleName={`Remove entry ${index + 1}`} onClick={() => onChange(entries.filter((_, i) => i !== index))} />
          </div>
        ))}
        <Button design="Transparent" icon="add" onClick={() => onChange([...entries, { key: "", value: "" }])}>Add entry</Button>
      </div>
    </FormItem>
  );
}

export const asObject = (entries: Entry[]) => Object.fromEntries(entries.filter((e) => e.key.trim()).map((e) => [e.key.trim(), e.value]));

/** Base64 of the UTF-8 bytes (the generic secrets API takes Kubernetes-style base64 values). */
export function base64(text: string): string {
  let binary = "";
  new TextEncoder().encode(text).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary);
}
