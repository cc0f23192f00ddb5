// AI Core's cron: five fields (minute hour day-of-month month day-of-week), evaluated in UTC. cron-parser does the
// calendar arithmetic; the syntax check in front of it mirrors chalicelib/domain/cron.py, because cron-parser also
// takes a seconds field, @macros and the L/W/#/?/H extensions, which the API refuses.
import { CronExpressionParser } from "cron-parser";

export const FIELD_HELP = "minute hour day-of-month month day-of-week";

export type CronPreview = { fires: Date[]; error?: undefined } | { fires?: undefined; error: string };

export function previewCron(expression: string, count = 5, after: Date = new Date()): CronPreview {
  const text = expression.trim().split(/\s+/).filter(Boolean).join(" ");
  if (!text) return { error: `Give 5 fields (${FIELD_HELP}), for example '0 2 * * *'.` };
  if (text.startsWith("@")) return { error: `Macros such as ${text.split(" ")[0]} are not supported; write the 5 fields (${FIELD_HELP}).` };
  const fields = text.split(" ");
  if (fields.length !== 5) {
    return { error: `'${text}' has ${fields.length} field${fields.length === 1 ? "" : "s"}; exactly 5 are needed (${FIELD_HELP}). Seconds and year fields are not supported.` };
  }
  const odd = fields.find((field) => !/^[0-9A-Za-z*,\-/]+$/.test(field) || /[LW#?H]/.test(field.replace(/[A-Za-z]{3}/g, "")));
  if (odd) return { error: `'${odd}' is not valid here; use *, n, a-b, a step such as */15 or 0-30/5, or a comma list of these.` };
  try {
    const parsed = CronExpressionParser.parse(text, { tz: "UTC", currentDate: after });
    return { fires: parsed.take(count).map((date) => date.toDate()) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A fire time as the API evaluates it: UTC, plus the viewer's local time for orientation. */
export function utc(date: Date): string {
  return date.toISOString().replace("T", " ").replace(/:00\.000Z$/, " UTC");
}
