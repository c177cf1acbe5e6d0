// The charts: one uPlot per chart, redrawn at most once per animation frame and only when its data changed, with
// vertical markers where findings were raised and control actions applied.
import { t, formatNumber } from "./i18n.js";

export const DEFAULT_CHARTS = [
  { key: "loss", title: "chart.loss", metrics: ["train_loss", "val_loss"] },
  { key: "accuracy", title: "chart.accuracy", metrics: ["train_accuracy", "val_accuracy"] },
  { key: "learning_rate", title: "chart.learningRate", metrics: ["learning_rate"], log: true },
  { key: "throughput", title: "chart.throughput", metrics: ["samples_per_second"] },
  { key: "gradient_norm", title: "chart.gradientNorm", metrics: ["gradient_norm"] },
  { key: "gpu_memory", title: "chart.gpuMemory", metrics: ["gpu_memory_used", "gpu_memory_total"] },
];

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
const MARKER_COLORS = { finding: "#e53935", control: "#1e88e5" };
const HEIGHT = 200;
const REDRAW_MS = 50;

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** Merges the series' step arrays into one x array with each series' values aligned to it (null where it has none). */
function align(seriesList) {
  if (seriesList.length === 1) return [seriesList[0].x, seriesList[0].y];
  const idx = seriesList.map(() => 0);
  const x = [];
  const ys = seriesList.map(() => []);
  for (;;) {
    let next = Infinity;
    for (let s = 0; s < seriesList.length; s++) {
      const sx = seriesList[s].x;
      if (idx[s] < sx.length && sx[idx[s]] < next) next = sx[idx[s]];
    }
    if (next === Infinity) break;
    x.push(next);
    for (let s = 0; s < seriesList.length; s++) {
      const ser = seriesList[s];
      if (idx[s] < ser.x.length && ser.x[idx[s]] === next) ys[s].push(ser.y[idx[s]++]);
      else ys[s].push(null);
    }
  }
  return [x, ...ys];
}

function finiteOrNull(values) {
  // uPlot draws null as a gap; a non-finite value (a diverged loss) is a gap too, and the findings panel says why.
  let clean = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && !Number.isFinite(v)) {
      clean ??= values.slice();
      clean[i] = null;
    }
  }
  return clean ?? values;
}

class Chart {
  constructor(def, grid, removable) {
    this.def = def;
    this.grid = grid;
    this.el = document.createElement("figure");
    this.el.className = "chart";
    this.el.dataset.chart = def.key;
    this.heading = document.createElement("h3");
    this.el.append(this.heading);
    if (removable) {
      this.remove = document.createElement("button");
      this.remove.type = "button";
      this.remove.className = "ghost remove";
      this.remove.textContent = "×";
      this.remove.addEventListener("click", () => grid.removeChart(def.key));
    }
    this.plot = document.createElement("div");
    this.plot.className = "plot";
    this.empty = document.createElement("div");
    this.empty.className = "empty";
    this.el.append(this.plot, this.empty);
    this.uplot = null;
    this.signature = "";
    this.versions = "";
    this.points = 0;
    this.translate();
  }

  title() { return this.def.title ? t(this.def.title) : this.def.key; }

  translate() {
    this.heading.textContent = this.title();
    this.el.setAttribute("aria-label", this.title());
    if (this.remove) {
      this.remove.setAttribute("aria-label", t("removeChart", { name: this.title() }));
      this.heading.append(this.remove);
    }
    this.signature = ""; // series labels may be translated: rebuild on the next draw
  }

  /** Draws the chart from the runs (primary first) when anything it shows changed since the last draw. */
  draw(runs, force) {
    const list = [];
    runs.forEach((run, r) => {
      for (const [m, name] of this.def.metrics.entries()) {
        const series = run.metrics.get(name);
        if (series && series.length) list.push({ run, r, m, name, series });
      }
    });
    const versions = list.map((s) => `${s.run.id}:${s.name}:${s.series.version}`).join("|") + "|" + runs.map((r) => r.markers.length).join(",");
    if (!force && versions === this.versions) return false;
    this.versions = versions;

    if (!list.length) {
      this.uplot?.destroy();
      this.uplot = null;
      this.signature = "";
      this.points = 0;
      const reported = runs.length && runs[0].summary.metric_names;
      this.empty.textContent = reported && runs[0].loaded ? t("chart.notReported", { names: this.def.metrics.join(", ") }) : t("chart.noData");
      this.empty.hidden = false;
      return true;
    }
    this.empty.hidden = true;

    if (typeof uPlot === "undefined") {
      // The page's script runs as soon as it is loaded (it asks for the data at once); the charting library may still be
      // on its way: draw when it is there.
      window.addEventListener("load", () => this.grid.schedule(true), { once: true });
      this.versions = "";
      return false;
    }
    const data = align(list.map((s) => s.series));
    for (let i = 1; i < data.length; i++) data[i] = finiteOrNull(data[i]);
    this.points = data[0].length;
    const signature = list.map((s) => `${s.run.id}:${s.name}`).join("|") + "|" + document.documentElement.lang;
    if (!this.uplot || signature !== this.signature) {
      this.uplot?.destroy();
      this.signature = signature;
      this.uplot = new uPlot(this.options(list, runs), data, this.plot);
      this.firstDrawMs ??= performance.now();
    } else {
      this.uplot.setData(data);
    }
    this.runs = runs;
    return true;
  }

  options(list, runs) {
    const axis = { stroke: css("--axis"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } };
    const compare = runs.length > 1;
    const chart = this;
    return {
      width: Math.max(200, this.plot.clientWidth || this.el.clientWidth - 16),
      height: HEIGHT,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: this.def.log ? { distr: 3 } : {} },
      axes: [
        { ...axis, label: null },
        { ...axis, size: 64, values: (u, splits) => splits.map((v) => (v === null || v === undefined ? "" : formatNumber(v))) },
      ],
      series: [
        { label: t("stat.step") },
        ...list.map((s) => ({
          label: compare ? `${short(s.run.id)} · ${s.name}` : s.name,
          stroke: PALETTE[(s.r * this.def.metrics.length + s.m) % PALETTE.length],
          width: 1.5,
          dash: s.r > 0 ? [6, 3] : undefined,
          spanGaps: true,
          points: { show: false },
          value: (u, v) => (v === null ? "–" : formatNumber(v)),
        })),
      ],
      hooks: {
        draw: [(u) => chart.drawMarkers(u)],
      },
    };
  }

  drawMarkers(u) {
    const run = this.runs?.[0];
    if (!run || !run.markers.length) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const [xmin, xmax] = [u.scales.x.min, u.scales.x.max];
    ctx.save();
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    for (const marker of run.markers) {
      if (marker.step < xmin || marker.step > xmax) continue;
      const x = Math.round(u.valToPos(marker.step, "x", true));
      ctx.strokeStyle = MARKER_COLORS[marker.kind] ?? "#888";
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  resize() {
    if (this.uplot) this.uplot.setSize({ width: Math.max(200, this.plot.clientWidth), height: HEIGHT });
  }

  destroy() {
    this.uplot?.destroy();
    this.el.remove();
  }
}

function short(id) {
  return id.length > 28 ? "…" + id.slice(-26) : id;
}

export class ChartGrid {
  constructor(container, onMeasure) {
    this.container = container;
    this.charts = new Map();
    this.runs = [];
    this.frame = 0;
    this.onMeasure = onMeasure;
    for (const def of DEFAULT_CHARTS) this.addChart(def, false);
    new ResizeObserver(() => this.resize()).observe(container);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.refresh());
  }

  addChart(def, removable = true) {
    if (this.charts.has(def.key)) return;
    const chart = new Chart(def, this, removable);
    this.charts.set(def.key, chart);
    this.container.append(chart.el);
    this.schedule(true);
  }

  removeChart(key) {
    this.charts.get(key)?.destroy();
    this.charts.delete(key);
  }

  /** The metrics of the first chart (the one loaded first). */
  firstChartMetrics() {
    return [...this.charts.values()][0]?.def.metrics ?? [];
  }

  /** The metric names the charts show. */
  metricNames() {
    return [...new Set([...this.charts.values()].flatMap((c) => c.def.metrics))];
  }

  setRuns(runs) {
    this.runs = runs;
    this.schedule(true);
  }

  /**
   * Asks for a redraw (all charts with force, else those whose data changed): at the next animation frame, but at most
   * once every REDRAW_MS, so that points arriving fast are drawn together (painting six canvases for every point would
   * cost frames) and each is still drawn within REDRAW_MS plus a frame.
   */
  schedule(force = false) {
    this.force ||= force;
    if (this.frame || this.timer) return;
    const wait = REDRAW_MS - (performance.now() - (this.lastDraw ?? -Infinity));
    if (wait > 0 && !force) {
      this.timer = setTimeout(() => { this.timer = 0; this.schedule(); }, wait);
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const force = this.force;
      this.force = false;
      const started = performance.now();
      this.lastDraw = started;
      let drawn = 0;
      for (const chart of this.charts.values()) if (chart.draw(this.runs, force)) drawn++;
      if (drawn) this.onMeasure?.(performance.now() - started, this.runs);
    });
  }

  refresh() {
    for (const chart of this.charts.values()) chart.translate();
    this.schedule(true);
  }

  resize() {
    for (const chart of this.charts.values()) chart.resize();
  }

  /** For tests and benchmarks: what each chart shows. */
  describe() {
    return [...this.charts.values()].map((c) => ({
      key: c.def.key,
      title: c.title(),
      points: c.points,
      drawn: !!c.uplot,
      series: c.uplot ? c.uplot.series.slice(1).map((s) => s.label) : [],
      empty: c.empty.hidden ? null : c.empty.textContent,
      firstDrawMs: c.firstDrawMs ?? null,
    }));
  }
}
