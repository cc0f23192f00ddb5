// Deployments as the AI API answers them, and the calls the pages make.
import { api, query } from "../../api";

export interface Deployment {
  id: string;
  configurationId: string;
  configurationName?: string;
  executableId: string;
  scenarioId: string;
  status: string;
  statusMessage?: string | null;
  targetStatus: string;
  deploymentUrl: string;
  createdAt?: string;
  modifiedAt?: string;
  startTime?: string | null;
  lastOperation?: string | null;
  latestRunningConfigurationId?: string | null;
  ttl?: string | null;
}

export interface LogLine {
  timestamp: string;
  msg: string;
  container?: string;
  pod?: string;
  stream?: string;
}

const enc = encodeURIComponent;
export const deploymentPath = (id: string) => `/v2/lm/deployments/${enc(id)}`;

export const loadDeployments = (filters: { status?: string; top: number; skip: number }) =>
  api<{ count: number; resources: Deployment[] }>("/v2/lm/deployments" + query({
    status: filters.status, $top: filters.top, $skip: filters.skip,
  }));

export const loadDeployment = (id: string) => api<Deployment>(deploymentPath(id));

/** The newest 1000 lines, oldest first (read newest-first so a long-running predictor shows its latest lines). */
export const loadDeploymentLogs = async (id: string) => {
  const answer = await api<{ data: { result: LogLine[] } }>(deploymentPath(id) + "/logs" + query({ $top: 1000, $order: "desc" }));
  return answer.data.result.slice().reverse();
};

/** A deployment that may still change or log (its page keeps refreshing while it is live). */
export const isLive = (d: Deployment | null) => !d || !["STOPPED", "DEAD"].includes(d.status);

export const STATUSES = ["PENDING", "RUNNING", "COMPLETED", "DEAD", "STOPPING", "STOPPED", "UNKNOWN"];
