"""Draw a Grafana dashboard JSON with real Prometheus data, in a browser, for the README's screenshot.

Grafana itself cannot be installed here (no Debian, PyPI or npm package carries its server), so this reads the
dashboard as Grafana would — panels, their gridPos on the 24-column grid, targets' PromQL and legendFormat, the
units — asks a real Prometheus (Debian's) for each target's range, and lays the panels out with ECharts (the web
app's charting library). What it shows is the project's own figures through the dashboard's own queries; the look is
Grafana-like, not Grafana's."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parents[2]
ECHARTS = ROOT / "webapp" / "node_modules" / "echarts" / "dist" / "echarts.min.js"
# Grafana's built-in interval variables, at the resolution the snapshot scrapes with.
BUILTINS = {"__rate_interval": "1m", "__interval": "5s", "__range": "5m", "__range_s": "300"}
GRID_ROW_PX = 30  # Grafana: one gridPos height unit is 30 px


def substitute(expr: str, variables: Dict[str, str]) -> str:
    """Grafana's `$name`, `${name}`, `${name:fmt}` and `[[name]]`: built-ins by value, dashboard variables by
    `.*` (the snapshot shows every tenant and deployment, as "All" does)."""
    def value(name: str) -> str:
        return BUILTINS.get(name, variables.get(name, ".*"))

    expr = re.sub(r"\$\{(\w+)(?::\w+)?\}", lambda m: value(m.group(1)), expr)
    expr = re.sub(r"\[\[(\w+)\]\]", lambda m: value(m.group(1)), expr)
    return re.sub(r"\$(\w+)", lambda m: value(m.group(1)), expr)


def legend(template: str, labels: dict) -> str:
    if not template or template == "__auto":
        inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
        return f"{labels.get('__name__', '')}{{{inner}}}" if inner else labels.get("__name__", "value")
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(labels.get(m.group(1), "")), template)


def panels_of(dashboard: dict) -> List[dict]:
    """Top-level panels (rows drawn as section titles) and those inside collapsed rows."""
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        if panel.get("type") == "row":
            found.extend(panel.get("panels", []))
    return found


def query_panels(dashboard: dict, prometheus: str, seconds: int = 300, step: int = 5) -> List[dict]:
    """Each panel with `series`: [{"name", "points": [[ms, value], ...]}] from /api/v1/query_range."""
    end = time.time()
    drawn = []
    for panel in panels_of(dashboard):
        series = []
        for target in panel.get("targets", []):
            if not target.get("expr") or target.get("hide"):
                continue
            answer = requests.get(f"{prometheus}/api/v1/query_range", timeout=30, params={
                "query": substitute(target["expr"], {}), "start": end - seconds, "end": end, "step": step}).json()
            if answer.get("status") != "success":
                raise AssertionError(f"panel '{panel.get('title')}': {target['expr']}: {answer.get('error')}")
            for result in answer["data"]["result"]:
                points = [[float(t) * 1000, float(v)] for t, v in result["values"] if v not in ("NaN", "+Inf", "-Inf")]
                series.append({"name": legend(target.get("legendFormat", ""), result["metric"]), "points": points})
        unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit", "")
        drawn.append({"title": panel.get("title", ""), "type": panel.get("type", "timeseries"),
                      "grid": panel.get("gridPos", {"x": 0, "y": 0, "w": 12, "h": 8}), "unit": unit,
                      "series": series})
    return drawn


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>%(title)s</title>
<style>
 body{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif}
 header{padding:10px 16px;font-size:18px;border-bottom:1px solid #2a2c33}
 header small{color:#8e8e9a;font-size:12px;margin-left:12px}
 #grid{position:relative;margin:8px}
 .panel{position:absolute;box-sizing:border-box;padding:4px;}
 .panel>div{background:#181b1f;border:1px solid #24272e;border-radius:2px;height:100%%;display:flex;flex-direction:column}
 .panel h3{margin:0;padding:6px 8px;font-size:13px;font-weight:500;color:#d8d9da}
 .body{flex:1;min-height:0}
 .row{font-size:15px;font-weight:500;color:#d8d9da;padding:6px 4px;border-bottom:1px solid #2a2c33}
 .stat{display:flex;align-items:center;justify-content:center;font-size:34px;font-weight:500;color:#73bf69}
</style><script>%(echarts)s</script></head><body>
<header>%(title)s<small>%(subtitle)s</small></header><div id="grid"></div>
<script>
const PANELS = %(panels)s;
const colors = ['#73bf69','#f2cc0c','#5794f2','#ff9830','#f2495c','#b877d9','#8ab8ff','#ffb357'];
const grid = document.getElementById('grid');
const unitFmt = (u, v) => u === 's' ? (v < 1 ? (v*1000).toFixed(0)+' ms' : v.toFixed(2)+' s')
  : u === 'percentunit' ? (v*100).toFixed(1)+'%%' : u === 'reqps' ? v.toFixed(2)+' req/s'
  : u === 'bytes' ? (v/1048576).toFixed(1)+' MiB' : u === 'ops' ? v.toFixed(2)+' /s'
  : (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const width = grid.clientWidth, col = width / 24;
let bottom = 0;
PANELS.forEach((p, i) => {
  const g = p.grid, el = document.createElement('div');
  el.className = 'panel';
  Object.assign(el.style, {left: g.x*col+'px', top: g.y*%(row)d+'px', width: g.w*col+'px', height: g.h*%(row)d+'px'});
  bottom = Math.max(bottom, (g.y+g.h)*%(row)d);
  if (p.type === 'row') {
    el.innerHTML = '<div class="row"></div>';
    el.querySelector('.row').textContent = p.title;
    grid.appendChild(el);
    return;
  }
  el.innerHTML = '<div><h3></h3><div class="body"></div></div>';
  el.querySelector('h3').textContent = p.title;
  grid.appendChild(el);
  const body = el.querySelector('.body');
  const last = p.series.map(s => s.points.length ? s.points[s.points.length-1][1] : null).filter(v => v !== null);
  if (!p.series.length) {
    body.className = 'body stat';
    body.style.color = '#8e8e9a'; body.style.fontSize = '16px';
    body.textContent = 'No data';
    return;
  }
  if (p.type === 'stat' || p.type === 'gauge') {
    body.className = 'body stat';
    body.textContent = last.length ? unitFmt(p.unit, last.reduce((a, b) => a + b, 0)) : 'No data';
    return;
  }
  const chart = echarts.init(body, null, {renderer: 'canvas'});
  chart.setOption({animation: false, color: colors, backgroundColor: 'transparent',
    grid: {left: 56, right: 12, top: 10, bottom: 44},
    legend: {bottom: 0, type: 'scroll', textStyle: {color: '#ccccdc', fontSize: 11}, itemHeight: 8},
    xAxis: {type: 'time', axisLabel: {color: '#8e8e9a', fontSize: 10}, splitLine: {show: false}},
    yAxis: {type: 'value', axisLabel: {color: '#8e8e9a', fontSize: 10, formatter: v => unitFmt(p.unit, v)},
            splitLine: {lineStyle: {color: '#2a2c33'}}},
    series: p.series.map(s => ({name: s.name, type: p.type === 'barchart' ? 'bar' : 'line', showSymbol: false,
                                 step: false, data: s.points, lineStyle: {width: 1.5}}))});
});
grid.style.height = bottom + 'px';
document.body.dataset.drawn = 'yes';
</script></body></html>"""


def page_html(dashboard: dict, panels: List[dict], subtitle: str) -> str:
    return PAGE % {"title": dashboard.get("title", "dashboard"), "subtitle": subtitle, "row": GRID_ROW_PX,
                   "panels": json.dumps(panels), "echarts": ECHARTS.read_text()}
