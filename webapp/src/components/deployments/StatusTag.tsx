// A deployment's status in Fiori's semantic colours.
import { Tag } from "@ui5/webcomponents-react";

const DESIGN: Record<string, "Positive" | "Negative" | "Critical" | "Information" | "Neutral"> = {
  RUNNING: "Positive", COMPLETED: "Positive", DEAD: "Negative", STOPPING: "Critical", STOPPED: "Neutral",
  PENDING: "Information", UNKNOWN: "Neutral",
};

export function StatusTag({ status }: { status: string }) {
  return <Tag design={DESIGN[status] ?? "Neutral"}>{status}</Tag>;
}
