// Create an execution schedule: the cron field shows the next five fire times (UTC) as the user types, or why the
// expression is not valid; the API's own error is shown too, when it refuses what was sent.
import { Button, Dialog, Form, FormItem, Input, Label, List, ListItemStandard, MessageStrip } from "@ui5/webcomponents-react";
import { useMemo, useState } from "react";
import { api } from "../../api";
import { messageOf, useOutcome } from "../../outcome";
import { ConfigurationPicker, ConfigurationSummary } from "./ConfigurationPicker";
import { CronPreview, FIELD_HELP, previewCron, utc } from "./cron";

/** An optional ISO date-time typed by hand; UTC when no offset is given (AI Core's schedules run in UTC). */
export function isoOrUndefined(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed}Z`;
}

export function ScheduleCreateDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { run } = useOutcome();
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 2 * * *");
  const [configuration, setConfiguration] = useState<ConfigurationSummary | null>(null);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [refused, setRefused] = useState("");
  const preview = useMemo<CronPreview>(() => {
    const startAt = isoOrUndefined(start);
    const after = startAt && new Date(startAt) > new Date() ? new Date(startAt) : new Date();
    const endAt = isoOrUndefined(end);
    const seen = previewCron(cron, 5, after);
    // Fires after the end never happen: leave them out.
    return seen.fires && endAt ? { fires: seen.fires.filter((date) => date <= new Date(endAt)) } : seen;
  }, [cron, start, end]);

  const create = async () => {
    setRefused("");
    const body = { name: name.trim() || undefined, cron: cron.trim(), configurationId: configuration?.id ?? "",
      start: isoOrUndefined(start), end: isoOrUndefined(end) };
    const created = await run(async () => {
      try {
        if (!configuration) throw new Error("Choose a configuration: type part of its name and pick it from the list.");
        return await api<{ id: string; message: string }>("/v2/lm/executionSchedules", { method: "POST", body });
      } catch (error) {
        setRefused(messageOf(error));
        throw error;
      }
    }, (answer) => `Schedule ${answer.id} created: ${answer.message}`);
    if (created) {
      setName("");
      onCreated();
    }
  };
  return (
    <Dialog open={open} headerText="Create schedule" onClose={onClose} style={{ width: "40rem" }}
      footer={<><Button design="Emphasized" accessibleName="Create schedule" onClick={create}>Create</Button><Button onClick={onClose}>Cancel</Button></>}>
      <Form layout="S1 M1 L1 XL1" labelSpan="S12 M12 L12 XL12">
        <FormItem labelContent={<Label for="schedule-configuration" required>Configuration</Label>}>
          <ConfigurationPicker id="schedule-configuration" onPick={setConfiguration} />
        </FormItem>
        <FormItem labelContent={<Label for="schedule-name">Name</Label>}>
          <Input id="schedule-name" accessibleName="Name" placeholder={configuration ? configuration.name : "Defaults to the configuration's name"}
            value={name} onInput={(e) => setName(e.target.value)} />
        </FormItem>
        <FormItem labelContent={<Label for="schedule-cron" required>Cron (UTC)</Label>}>
          <Input id="schedule-cron" accessibleName="Cron" value={cron} placeholder={FIELD_HELP}
            valueState={preview.error ? "Negative" : "None"} onInput={(e) => setCron(e.target.value)} />
        </FormItem>
        <FormItem labelContent={<Label for="schedule-start">Start</Label>}>
          <Input id="schedule-start" accessibleName="Start" placeholder="optional, e.g. 2030-01-01T00:00:00Z" value={start} onInput={(e) => setStart(e.target.value)} />
        </FormItem>
        <FormItem labelContent={<Label for="schedule-end">End</Label>}>
          <Input id="schedule-end" accessibleName="End" placeholder="optional, e.g. 2030-12-31T00:00:00Z" value={end} onInput={(e) => setEnd(e.target.value)} />
        </FormItem>
      </Form>
      {preview.fires === undefined
        ? <MessageStrip design="Negative" hideCloseButton data-testid="cron-error">{preview.error}</MessageStrip>
        : <List headerText="Next five fire times (UTC)" accessibleName="Next five fire times">
            {preview.fires.map((date) => <ListItemStandard type="Inactive" key={date.getTime()} description={date.toLocaleString()}>{utc(date)}</ListItemStandard>)}
          </List>}
      {refused && <MessageStrip design="Negative" hideCloseButton role="alert">{refused}</MessageStrip>}
    </Dialog>
  );
}
