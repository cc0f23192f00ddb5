// The metrics of one execution, one chart per metric over step; re-read while the run is live, once more at its end.
import { Text } from "@ui5/webcomponents-react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { usePolling } from "../../polling";
import { MetricGrid, MetricSeries } from "./MetricChart";
import { MetricPoint, readMetrics, seriesByName } from "./metrics";

export function ExecutionMetrics({ executionId, live }: { executionId: string; live: boolean }) {
  const [points, setPoints] = useState<MetricPoint[] | null>(null);
  const [problem, setProblem] = useState("");
  const read = useCallback(async () => {
    try {
      const found = await readMetrics([executionId]);
      // A new array only when something changed: the charts redraw only then.
      const next = found[executionId] || [];
      setPoints((known) => (known && known.length === next.length ? known : next));
      setProblem("");
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [executionId]);
  usePolling(read, 3000, [executionId], live);
  useEffect(() => {
    if (!live) read();
  }, [live, read]);

  const byMetric = useMemo(() => {
    const grouped = new Map<string, MetricSeries[]>();
    for (const [name, list] of seriesByName(points || [])) grouped.set(name, [{ label: executionId, points: list }]);
    return grouped;
  }, [points, executionId]);

  if (problem) return <p role="alert">{problem}</p>;
  if (!points) return <Text>Loading metrics...</Text>;
  if (!points.length) return <Text>No metrics logged{live ? " yet" : ""}.</Text>;
  return <MetricGrid byMetric={byMetric} onFinished={(name) => {
    performance.mark(`metric-chart-finished:${name}`);
  }} />;
}
