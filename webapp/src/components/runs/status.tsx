// Execution and step states as Fiori semantic colours (Tag designs), shared by the list, the detail and Compare.
import { Tag } from "@ui5/webcomponents-react";

// The values the API's `status` filter takes.
export const STATUSES = ["UNKNOWN", "PENDING", "RUNNING", "COMPLETED", "DEAD", "STOPPED", "DELETING"] as const;
/** Statuses a run does not leave by itself: polling its logs and details can stop. */
export const FINAL = ["COMPLETED", "DEAD", "STOPPED"];

type Design = "Neutral" | "Information" | "Positive" | "Negative" | "Critical";

export function designOf(status?: string): Design {
  switch ((status || "").toUpperCase()) {
    case "COMPLETED":
    case "SUCCEEDED":
      return "Positive";
    case "DEAD":
    case "FAILED":
    case "ERROR":
      return "Negative";
    case "RUNNING":
      return "Information";
    case "STOPPED":
    case "STOPPING":
    case "DELETING":
      return "Critical";
    default:
      return "Neutral";
  }
}

/** The same colours for the step graph (ECharts needs plain colours, not design tokens). */
export function colourOf(status?: string): string {
  return { Positive: "#36a41d", Negative: "#e90b0b", Information: "#0070f2", Critical: "#e76500", Neutral: "#788fa6" }[
    designOf(status)];
}

export function StatusTag({ status }: { status?: string }) {
  return <Tag design={designOf(status)} hideStateIcon={false}>{status || "UNKNOWN"}</Tag>;
}

export interface Execution {
  id: string;
  configurationId: string;
  configurationName?: string;
  executableId?: string;
  scenarioId?: string;
  status: string;
  statusMessage?: string;
  targetStatus?: string;
  createdAt?: string;
  modifiedAt?: string;
  submissionTime?: string;
  startTime?: string;
  completionTime?: string;
  statusDetails?: { steps?: Step[] } & Record<string, unknown>;
  outputArtifacts?: Artifact[];
}

export interface Step {
  name: string;
  status?: string;
  pod?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  attempt?: number;
  message?: string;
}

export interface Artifact {
  id: string;
  name: string;
  kind: string;
  url: string;
  description?: string;
  createdAt?: string;
}
