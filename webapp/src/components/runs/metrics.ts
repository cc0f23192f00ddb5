// Metrics of executions as the API returns them (GET /v2/lm/metrics?executionIds=...), grouped for charts.
import { api, query } from "../../api";

export interface MetricPoint {
  name: string;
  value: number;
  step?: number;
  timestamp?: string;
  labels?: { name: string; value: string }[];
}

interface MetricResource {
  executionId: string;
  metrics?: MetricPoint[];
}

/** executionId -> its metric points. The API reads at most 10 executions per call: larger sets go in chunks. */
export async function readMetrics(executionIds: string[], signal?: AbortSignal): Promise<Record<string, MetricPoint[]>> {
  const found: Record<string, MetricPoint[]> = {};
  for (let i = 0; i < executionIds.length; i += 10) {
    const ids = executionIds.slice(i, i + 10);
    const answer = await api<{ resources: MetricResource[] }>(
      "/v2/lm/metrics" + query({ executionIds: ids.join(",") }), { signal });
    for (const resource of answer.resources || []) found[resource.executionId] = resource.metrics || [];
  }
  return found;
}

/** Metric name -> [step, value] pairs in step order (points without a step take their position). */
export function seriesByName(points: MetricPoint[]): Map<string, [number, number][]> {
  const byName = new Map<string, [number, number][]>();
  points.forEach((point, index) => {
    const list = byName.get(point.name) ?? [];
    list.push([point.step ?? index, point.value]);
    byName.set(point.name, list);
  });
  for (const list of byName.values()) list.sort((a, b) => a[0] - b[0]);
  return byName;
}

/** The final value of each metric: the one at the highest step (the latest write on a tie). */
export function finalValues(points: MetricPoint[]): Map<string, number> {
  const last = new Map<string, [number, number]>();
  points.forEach((point, index) => {
    const step = point.step ?? index;
    const seen = last.get(point.name);
    if (!seen || step >= seen[0]) last.set(point.name, [step, point.value]);
  });
  return new Map([...last].map(([name, [, value]]) => [name, value]));
}
