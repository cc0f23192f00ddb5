// The run's steps as a graph coloured by state (ECharts `graph`, positions computed by depth).
// The engine's statusDetails.steps carry name, status and start/finish times but no dependency list: a step that
// started before the previous level finished ran beside it (same depth), otherwise it depends on that level.
import { useMemo } from "react";
import { colourOf, Step } from "./status";
import { ChartOption, EChart } from "./EChart";

export function levelsOf(steps: Step[]): Step[][] {
  const started = steps.filter((s) => s.startedAt).sort((a, b) => a.startedAt!.localeCompare(b.startedAt!));
  const levels: Step[][] = [];
  for (const step of started) {
    const current = levels[levels.length - 1];
    const overlaps = current?.some((other) => !other.finishedAt || other.finishedAt > step.startedAt!);
    if (current && overlaps) current.push(step);
    else levels.push([step]);
  }
  const waiting = steps.filter((s) => !s.startedAt);
  waiting.forEach((step) => levels.push([step]));
  return levels;
}

function shortName(name: string): string {
  return name.includes(".") ? name.slice(name.indexOf(".") + 1) : name;
}

export function StepGraph({ steps }: { steps: Step[] }) {
  const option: ChartOption = useMemo(() => {
    const levels = levelsOf(steps);
    const nodes = levels.flatMap((level, depth) => level.map((step, row) => ({
      id: step.name,
      name: `${shortName(step.name)}\n${step.status || "Pending"}`,
      x: depth * 200,
      y: (row - (level.length - 1) / 2) * 90,
      itemStyle: { color: colourOf(step.status) },
      tooltip: { formatter: `${step.name}: ${step.status || "Pending"}${step.exitCode !== undefined ? ` (exit ${step.exitCode})` : ""}` },
    })));
    const links = levels.slice(1).flatMap((level, index) =>
      levels[index].flatMap((from) => level.map((to) => ({ source: from.name, target: to.name }))));
    return {
      animation: false,
      tooltip: {},
      series: [{
        type: "graph", layout: "none", roam: true, symbol: "roundRect", symbolSize: [120, 48],
        label: { show: true, color: "#fff", fontSize: 12, lineHeight: 16 }, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 10,
        lineStyle: { color: "#89919a", width: 2 }, data: nodes, links,
      }],
    };
  }, [steps]);
  const summary = steps.map((s) => `${shortName(s.name)} ${s.status || "Pending"}`).join(", ");
  return (
    <>
      <EChart option={option} label={`Steps: ${summary}`} height={Math.max(160, 100 * Math.max(1, ...levelsOf(steps).map((l) => l.length)))} />
      {/* The graph is a canvas: the same states as text, for screen readers and tests. */}
      <ul aria-label="Step states" style={{ position: "absolute", left: -10000 }}>
        {steps.map((s) => <li key={s.name} data-step={s.name}>{`${s.name}: ${s.status || "Pending"}`}</li>)}
      </ul>
    </>
  );
}
