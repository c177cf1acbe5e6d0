// What the page knows of a run's metrics: per metric name, its points ordered by step, thinned when they grow long.

export class Series {
  constructor(name) {
    this.name = name;
    this.x = [];
    this.y = [];
    this.version = 0;        // changes whenever a point is added or the series is thinned
  }

  get length() { return this.x.length; }

  /** Adds a point; a second value at the newest step replaces it, an older step is inserted in order. */
  add(step, value) {
    const x = this.x;
    const n = x.length;
    if (n === 0 || step > x[n - 1]) {
      x.push(step);
      this.y.push(value);
    } else if (step === x[n - 1]) {
      this.y[n - 1] = value;
    } else {
      let lo = 0, hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x[mid] < step) lo = mid + 1; else hi = mid;
      }
      if (x[lo] === step) this.y[lo] = value;
      else { x.splice(lo, 0, step); this.y.splice(lo, 0, value); }
    }
    this.version++;
  }

  /**
   * Keeps at most about limit points: when the series is longer, its older half is thinned to a quarter of limit by
   * keeping each interval's minimum and maximum (and any non-finite value), so spikes survive and the newest points stay whole.
   */
  thin(limit) {
    const n = this.x.length;
    if (n <= limit) return false;
    const cut = Math.floor(n / 2);
    const buckets = Math.max(1, Math.floor(limit / 8));
    const size = cut / buckets;
    const keepX = [], keepY = [];
    for (let b = 0; b < buckets; b++) {
      const from = Math.floor(b * size), to = Math.min(cut, Math.floor((b + 1) * size));
      if (from >= to) continue;
      let min = from, max = from, odd = -1;
      for (let i = from; i < to; i++) {
        const v = this.y[i];
        if (v === null || !Number.isFinite(v)) { if (odd < 0) odd = i; continue; }
        if (!Number.isFinite(this.y[min]) || v < this.y[min]) min = i;
        if (!Number.isFinite(this.y[max]) || v > this.y[max]) max = i;
      }
      const picks = [...new Set([from, min, max, odd].filter((i) => i >= 0))].sort((a, b) => a - b);
      for (const i of picks) { keepX.push(this.x[i]); keepY.push(this.y[i]); }
    }
    this.x = keepX.concat(this.x.slice(cut));
    this.y = keepY.concat(this.y.slice(cut));
    this.version++;
    return true;
  }
}

/** Everything the page holds of one run. */
export class RunData {
  constructor(summary) {
    this.id = summary.id;
    this.summary = summary;
    this.metrics = new Map();
    this.findings = new Map();   // finding_id → latest revision (the event's data)
    this.proposals = new Map();  // proposal_id → latest revision
    this.markers = [];           // {step, kind: "finding"|"control", label}
    this.latest = {};            // metric name → latest value
    this.maxOffset = 0;          // the newest event offset held (events at or before it are duplicates)
    this.loaded = false;
    this.eta = null;
    this.epoch = summary.last_epoch ?? null;
    this.step = summary.last_step ?? null;
  }

  series(name) {
    let series = this.metrics.get(name);
    if (!series) { series = new Series(name); this.metrics.set(name, series); }
    return series;
  }

  addMarker(step, kind, label) {
    if (typeof step !== "number") return;
    if (this.markers.some((m) => m.step === step && m.kind === kind && m.label === label)) return;
    this.markers.push({ step, kind, label });
  }
}

/**
 * The metrics of a metrics_update payload by their source names (the names of the history endpoint): the well-known fields
 * as they are, training_speed as steps_per_second, and every advanced metric by its own name.
 */
export function metricsOf(data, wireNumber) {
  const out = {};
  const known = ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "samples_per_second",
    "gpu_memory_used", "gpu_memory_total", "best_accuracy"];
  for (const name of known) {
    if (name in data) out[name] = wireNumber(data[name]);
  }
  if ("training_speed" in data) out.steps_per_second = wireNumber(data.training_speed);
  for (const [name, value] of Object.entries(data.advanced_metrics ?? {})) {
    const number = wireNumber(value);
    if (number !== null) out[name] = number;
  }
  return out;
}
