// One ECharts instance on a canvas, sized to its box. Only the parts the runs pages use are registered (smaller bundle).
import { GraphChart, LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([LineChart, GraphChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent,
  CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

interface Props {
  option: ChartOption;
  /** The chart's accessible name (the canvas itself says nothing to a screen reader). */
  label: string;
  height?: number;
  /** Called once a render has finished (ECharts' 'finished' event): the bench measures draw time with it. */
  onFinished?: () => void;
}

export function EChart({ option, label, height = 260, onFinished }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  useEffect(() => {
    const instance = echarts.init(box.current!, undefined, { renderer: "canvas" });
    chart.current = instance;
    instance.on("finished", () => finished.current?.());
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(box.current!);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true, lazyUpdate: false });
  }, [option]);
  return <div ref={box} role="img" aria-label={label} data-chart={label} style={{ width: "100%", height }} />;
}
