// One metric over step as an ECharts line chart: one series per execution (one on the detail, several on Compare).
// Built for 10,000+ points: canvas, no animation, LTTB sampling to the pixel width, symbols only for short series.
import { useMemo } from "react";
import { ChartOption, EChart } from "./EChart";

export interface MetricSeries {
  label: string;
  points: [number, number][];
}

export function MetricChart({ name, series, onFinished }: { name: string; series: MetricSeries[]; onFinished?: () => void }) {
  const option: ChartOption = useMemo(() => {
    const longest = Math.max(...series.map((s) => s.points.length));
    // A metric logged once (a final score) is one point: centre it and print its value instead of a lone dot.
    const steps = new Set(series.flatMap((s) => s.points.map((p) => p[0])));
    const single = steps.size === 1 ? [...steps][0] : undefined;
    return {
      animation: false,
      title: { text: name, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { bottom: 0, type: "scroll" } : undefined,
      grid: { left: 56, right: 48, top: 40, bottom: series.length > 1 ? 56 : 32 },
      xAxis: { type: "value", name: "step", nameLocation: "end", minInterval: 1, scale: true, axisLine: { onZero: false },
        ...(single !== undefined ? { min: single - 1, max: single + 1 } : {}) },
      yAxis: { type: "value", scale: true, axisLine: { onZero: false } },
      dataZoom: longest > 200 ? [{ type: "inside" }] : undefined,
      series: series.map((s) => ({
        type: "line",
        name: s.label,
        data: s.points,
        sampling: "lttb",
        showSymbol: s.points.length <= 50,
        symbolSize: 6,
        label: { show: s.points.length <= 3, position: "top" },
        progressive: 0,
        emphasis: { disabled: s.points.length > 1000 },
      })),
    };
  }, [name, series]);
  return <EChart option={option} label={`Metric ${name}`} onFinished={onFinished} />;
}

/** A grid of charts, one per metric name, each with the given executions' series. */
export function MetricGrid({ byMetric, onFinished }: { byMetric: Map<string, MetricSeries[]>; onFinished?: (name: string) => void }) {
  const names = [...byMetric.keys()].sort();
  return (
    <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(420px, 1fr))", gap: "1rem" }}>
      {names.map((name) => (
        <section key={name} aria-label={`Chart ${name}`} style={{ border: "1px solid var(--sapList_BorderColor)", borderRadius: 8, padding: 8 }}>
          <MetricChart name={name} series={byMetric.get(name)!} onFinished={onFinished && (() => onFinished(name))} />
        </section>
      ))}
    </div>
  );
}
