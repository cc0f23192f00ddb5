// Compare executions (#/compare?ids=a,b,c): parameters and final metrics side by side with differences marked,
// and each metric's chart with one series per execution.
import { Panel, Text } from "@ui5/webcomponents-react";
import { useEffect, useMemo, useState } from "react";
import type { PageProps } from ".";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { ExecutionPicker } from "../components/runs/ExecutionPicker";
import { MetricGrid, MetricSeries } from "../components/runs/MetricChart";
import { finalValues, MetricPoint, readMetrics, seriesByName } from "../components/runs/metrics";
import { SideBySide } from "../components/runs/SideBySide";
import { Execution } from "../components/runs/status";
import { useOutcome } from "../outcome";

interface Compared {
  execution: Execution;
  parameters: Record<string, string>;
  metrics: MetricPoint[];
}

export function Compare({ params }: PageProps) {
  const { fail } = useOutcome();
  const ids = useMemo(() => (params.get("ids") || "").split(",").map((s) => s.trim()).filter(Boolean), [params]);
  const [compared, setCompared] = useState<Compared[] | null>(null);
  useEffect(() => {
    if (!ids.length) return setCompared([]);
    setCompared(null);
    const abort = new AbortController();
    (async () => {
      const executions = await Promise.all(ids.map((id) =>
        api<Execution>(`/v2/lm/executions/${encodeURIComponent(id)}`, { signal: abort.signal })));
      const configurations = await Promise.all(executions.map((e) =>
        api<{ parameterBindings?: { key: string; value: string }[] }>(
          `/v2/lm/configurations/${encodeURIComponent(e.configurationId)}`, { signal: abort.signal })
          .catch(() => ({ parameterBindings: [] }))));  // a deleted configuration: no parameters to show
      const metrics = await readMetrics(ids, abort.signal);
      setCompared(executions.map((execution, i) => ({
        execution,
        parameters: Object.fromEntries((configurations[i].parameterBindings || []).map((b) => [b.key, b.value])),
        metrics: metrics[execution.id] || [],
      })));
    })().catch((error) => {
      if (!abort.signal.aborted) fail(error);
    });
    return () => abort.abort();
  }, [ids, fail]);

  const columns = (compared || []).map((c) => ({
    id: c.execution.id, label: `${c.execution.configurationName || c.execution.configurationId} (${c.execution.id})`,
  }));
  const parameterRows = useMemo(() => rowsOf((compared || []).map((c) => new Map(Object.entries(c.parameters)))), [compared]);
  const metricRows = useMemo(() => rowsOf((compared || []).map((c) =>
    new Map([...finalValues(c.metrics)].map(([k, v]) => [k, String(v)])))), [compared]);
  const byMetric = useMemo(() => {
    const grouped = new Map<string, MetricSeries[]>();
    for (const c of compared || []) {
      for (const [name, points] of seriesByName(c.metrics)) {
        grouped.set(name, [...(grouped.get(name) || []), { label: `${c.execution.configurationName || ""} ${c.execution.id}`.trim(), points }]);
      }
    }
    return grouped;
  }, [compared]);

  return (
    <>
      <PageHeader title="Compare" />
      <ExecutionPicker chosen={ids} />
      {ids.length < 2 && <Text>Pick two or more executions to compare them.</Text>}
      {ids.length >= 2 && !compared && <Text>Loading...</Text>}
      {compared && compared.length >= 2 && (
        <>
          <Panel headerText="Parameters" headerLevel="H2">
            <SideBySide title="Parameters" keyLabel="Parameter" columns={columns} rows={parameterRows} />
          </Panel>
          <Panel headerText="Final metrics" headerLevel="H2">
            <SideBySide title="Final metrics" keyLabel="Metric" columns={columns} rows={metricRows} />
          </Panel>
          <Panel headerText="Metric charts" headerLevel="H2">
            {byMetric.size ? <MetricGrid byMetric={byMetric} /> : <Text>No metrics logged.</Text>}
          </Panel>
        </>
      )}
    </>
  );
}

/** One row per key found in any execution, its value in each (undefined where an execution lacks it). */
function rowsOf(maps: Map<string, string>[]): { key: string; values: (string | undefined)[] }[] {
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => ({ key, values: maps.map((m) => m.get(key)) }));
}
