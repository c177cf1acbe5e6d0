// The TrainInsight dashboard: wires the stream, the charts and the panels. Everything comes from the public endpoints.
import { t, translate, setLanguage, language, formatNumber } from "./i18n.js";
import { Api, ApiError, wireNumber } from "./api.js";
import { LiveStream } from "./stream.js";
import { RunData, metricsOf } from "./series.js";
import { ChartGrid } from "./charts.js";
import { renderFindings, renderProposals, el } from "./panels.js";
import { Chat } from "./chat.js";
import { confirmAction } from "./dialog.js";

const config = JSON.parse(document.getElementById("ti-config").textContent);
const api = new Api(appRoot(config.mount_path), config.api_prefix);
const $ = (id) => document.getElementById(id);

const state = {
  summaries: new Map(),  // run id → the run's summary (GET /api/runs), kept current from the stream
  runs: new Map(),       // run id → RunData, for the runs shown (primary and compared)
  primary: null,
  compared: new Set(),
  connection: "connecting",
  gaps: [],
  proposalsAvailable: true,
  unshown: new Map(),    // run id → the latest events of runs not shown (replayed when one is opened)
  acks: new Map(),       // command id → control_applied data that came before the command's POST answered
  commands: new Map(),   // command id → action, for the commands this page sent
  drawMs: [],            // how long each chart redraw took (script time), the latest 2,000
  undrawn: [],           // publish times (Unix ms) of the primary run's live train_loss points not drawn yet
  latencyMs: [],         // publish → drawn of the newest live point, the latest 2,000
  events: 0,
};

const grid = new ChartGrid($("charts"), measure);
const chat = new Chat(api, {
  log: $("chat-log"), form: $("chat-form"), input: $("chat-input"), quick: document.querySelector(".quick"),
  currentRun: () => state.runs.get(state.primary) ?? null,
});
const stream = new LiveStream(
  (after) => api.url("/api/stream/metrics", after === null ? {} : { after }),
  { onEvent, onStatus: (s) => { state.connection = s; renderConnection(); } });

/** The application's root path: the page's path without the dashboard's own mount path. */
function appRoot(mount) {
  const path = window.location.pathname;
  const suffix = mount === "/" ? "/" : mount + "/";
  return path.endsWith(suffix) ? path.slice(0, path.length - suffix.length) + "/" : "/";
}

function measure(ms, runs) {
  push(state.drawMs, ms);
  // Publish → drawn for every live train_loss point of the primary run that this redraw drew for the first time.
  const now = Date.now();
  if (runs[0]?.id === state.primary) {
    for (const published of state.undrawn.splice(0)) push(state.latencyMs, now - published);
  }
}

function push(list, value) {
  list.push(value);
  if (list.length > 2_000) list.splice(0, list.length - 2_000);
}

// ---------------------------------------------------------------------------------------------------------------------
// Runs

// Asked for as soon as the script runs, before the page is built.
let firstRuns = api.get("/api/runs", { limit: 200 });

async function loadRuns() {
  const pending = firstRuns ?? api.get("/api/runs", { limit: 200 });
  firstRuns = null;
  const { runs } = await pending;
  for (const run of runs) state.summaries.set(run.id, { ...state.summaries.get(run.id), ...run });
  renderRunPicker();
  return runs;
}

let refreshTimer = 0;
function refreshRunsSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = 0;
    try {
      await loadRuns();
      if (!state.primary && state.summaries.size) await select(defaultRun());
    } catch (error) {
      console.error("TrainInsight: the run list could not be refreshed", error);
    }
  }, 1_000);
}

function defaultRun() {
  const wanted = new URLSearchParams(window.location.hash.slice(1)).get("run");
  if (wanted && state.summaries.has(wanted)) return wanted;
  const all = [...state.summaries.values()];
  return (all.find((r) => r.live) ?? all[0])?.id ?? null;
}

/** Loads a run's history: downsampled metrics, findings, proposals, the commands it handled. */
async function loadRun(id) {
  const summary = state.summaries.get(id) ?? { id };
  const run = new RunData(summary);
  run.pending = state.unshown.get(id) ?? [];
  state.unshown.delete(id);
  state.runs.set(id, run);
  // The first chart's metrics first, so the first chart is drawn before the other charts' history arrives.
  const all = grid.metricNames();
  const firstNames = grid.firstChartMetrics();
  const history = (names) => api.get(`/api/runs/${encodeURIComponent(id)}/metrics`, { names: names.join(","), max_points: config.history_points });
  // The first chart's history alone first: the other reads scan the same store and would only slow it down.
  const [metrics] = await Promise.allSettled([history(firstNames)]);
  if (metrics.status === "fulfilled") applyHistory(run, metrics.value.points);
  else if (!(metrics.reason instanceof ApiError && metrics.reason.status === 404)) report("history", metrics.reason);
  // The run is shown from here on (its first chart drawn); the events that came meanwhile follow its history.
  run.loaded = true;
  for (const [type, event] of run.pending.splice(0)) onEvent(type, event);
  grid.setRuns(shownRuns());
  const [findings, proposals, commands] = await Promise.allSettled([
    api.get(`/api/runs/${encodeURIComponent(id)}/findings`),
    api.get("/api/proposals", { run: id, limit: 500 }),
    api.get(`/api/runs/${encodeURIComponent(id)}/commands`),
  ]);
  const rest = all.filter((n) => !firstNames.includes(n));
  if (rest.length && metrics.status === "fulfilled") {
    history(rest).then((response) => { applyHistory(run, response.points); grid.schedule(); }, (error) => report("history", error));
  }
  if (findings.status === "fulfilled") {
    for (const f of findings.value.findings) upsertFinding(run, { ...f.data, offset: f.offset });
  }
  if (proposals.status === "fulfilled") {
    for (const p of proposals.value.proposals) upsertProposal(run, p);
  } else if (proposals.reason instanceof ApiError && proposals.reason.status === 404) {
    state.proposalsAvailable = false;
  }
  if (commands.status === "fulfilled") {
    for (const c of commands.value.commands) {
      if (c.status === "applied") run.addMarker(c.step, "control", c.action);
      run.maxOffset = Math.max(run.maxOffset, c.offset ?? 0);
    }
  }
  return run;
}

function applyHistory(run, points) {
  for (const p of points) {
    const value = wireNumber(p.value);
    run.series(p.name).add(p.step, value);
    run.latest[p.name] = value;
    run.maxOffset = Math.max(run.maxOffset, p.offset ?? 0);
    if (run.step === null || p.step > run.step) run.step = p.step;
  }
}

async function reloadHistory(run) {
  const names = grid.metricNames();
  try {
    const response = await api.get(`/api/runs/${encodeURIComponent(run.id)}/metrics`, { names: names.join(","), max_points: config.history_points });
    for (const name of names) run.metrics.delete(name);
    applyHistory(run, response.points);
    grid.schedule(true);
  } catch (error) {
    report("history", error);
  }
}

async function select(id) {
  if (!id) return;
  state.primary = id;
  state.compared.delete(id);
  history.replaceState(null, "", "#run=" + encodeURIComponent(id));
  if (!state.runs.has(id)) await loadRun(id);
  for (const other of [...state.runs.keys()]) {
    if (other !== id && !state.compared.has(other)) state.runs.delete(other);
  }
  renderAll();
}

async function toggleCompare(id, on) {
  if (on) {
    state.compared.add(id);
    if (!state.runs.has(id)) await loadRun(id);
  } else {
    state.compared.delete(id);
    state.runs.delete(id);
  }
  grid.setRuns(shownRuns());
}

function shownRuns() {
  return [state.primary, ...state.compared].map((id) => state.runs.get(id)).filter((r) => r?.loaded);
}

// ---------------------------------------------------------------------------------------------------------------------
// Events

function onEvent(type, event) {
  state.events++;
  if (type === "gap") return onGap(event);
  const id = event.run_id;
  const summary = state.summaries.get(id);
  if (!summary) {
    refreshRunsSoon();
  } else {
    summary.last_offset = event.offset;
    if (type === "training_event" && event.data?.model_state) summary.state = event.data.model_state;
    if (type === "training_event" && event.event === "run_started") refreshRunsSoon();
  }
  const run = state.runs.get(id);
  if (!run) {
    // Kept a while: the store lags the stream (by up to its flush interval), so a run opened a moment later gets these
    // from here rather than a hole between its stored history and the live events.
    const recent = state.unshown.get(id) ?? [];
    recent.push([type, event]);
    if (recent.length > 5_000) recent.splice(0, recent.length - 5_000);
    state.unshown.set(id, recent);
    if (!state.primary && summary) select(id);
    return;
  }
  if (!run.loaded) { run.pending.push([type, event]); return; }
  if (typeof event.offset === "number") {
    if (event.offset <= run.maxOffset) return; // already held (replayed after a reconnect, or in the history loaded)
    run.maxOffset = event.offset;
  }
  const data = event.data ?? {};
  switch (type) {
    case "metrics_update": {
      const metrics = metricsOf(data, wireNumber);
      for (const [name, value] of Object.entries(metrics)) {
        const series = run.series(name);
        series.add(data.step, value);
        if (name === "train_loss" && id === state.primary && state.undrawn.length < 10_000) state.undrawn.push(event.timestamp * 1000);
        if (series.length > config.live_points) series.thin(config.live_points);
        run.latest[name] = value;
      }
      run.step = data.step ?? run.step;
      run.epoch = data.epoch ?? run.epoch;
      run.eta = data.eta ?? run.eta;
      grid.schedule();
      renderStatusSoon();
      break;
    }
    case "training_event":
      if (data.model_state) run.summary.state = data.model_state;
      if (event.event === "run_finished" || event.event === "run_lost") run.summary.live = false;
      if (event.event === "run_started") run.summary.live = true;
      if (event.event === "control_applied") onControlApplied(run, data);
      if (data.step !== undefined) run.step = Math.max(run.step ?? 0, data.step);
      renderStatusSoon();
      renderControls();
      break;
    case "finding":
      upsertFinding(run, data);
      grid.schedule();
      renderPanelsSoon();
      break;
    case "proposal":
      upsertProposal(run, data);
      renderPanelsSoon();
      refreshStatsSoon();
      break;
    case "assistant_analysis":
      if (id === state.primary) chat.note(`${t("assistant")} (${t(`answerSource.${data.source}`)}): ${data.text}`);
      break;
  }
}

function upsertFinding(run, finding) {
  const known = run.findings.get(finding.finding_id);
  if (known && known.revision >= finding.revision) return;
  run.findings.set(finding.finding_id, finding);
  run.addMarker(finding.first_step, "finding", finding.label);
  if (typeof finding.offset === "number") run.maxOffset = Math.max(run.maxOffset, finding.offset);
}

function upsertProposal(run, proposal) {
  const known = run.proposals.get(proposal.proposal_id);
  if (known && known.revision >= proposal.revision) return;
  run.proposals.set(proposal.proposal_id, proposal);
}

function onControlApplied(run, data) {
  if (data.status === "applied") run.addMarker(data.step, "control", data.action);
  grid.schedule();
  const action = state.commands.get(data.command_id);
  if (action) {
    showAck(action, data);
    state.commands.delete(data.command_id);
  } else {
    // The trainer may acknowledge before the POST's own answer reaches the page: keep it for that answer.
    state.acks.set(data.command_id, data);
    if (state.acks.size > 100) state.acks.delete(state.acks.keys().next().value);
  }
}

function showAck(action, data) {
  $("control-status").textContent = data.status === "applied"
    ? t("commandApplied", { action: t(`action.${action}`), step: data.step })
    : t("commandRejected", { action: t(`action.${action}`), message: data.message ?? "" });
}

function onGap(event) {
  state.gaps.push(event.data);
  const banner = $("banner");
  banner.textContent = t("gap", { missed: event.data.missed, first: event.data.first_offset, last: event.data.last_offset });
  banner.hidden = false;
  const run = state.runs.get(event.run_id);
  if (run) reloadHistory(run);
}

// ---------------------------------------------------------------------------------------------------------------------
// Rendering

let statusFrame = 0, panelsFrame = 0, statsTimer = 0;
function renderStatusSoon() {
  // A few times a second is enough for numbers people read; rebuilding the strip for every point would cost frames.
  if (!statusFrame) statusFrame = setTimeout(() => requestAnimationFrame(() => { statusFrame = 0; renderStatus(); }), 250);
}
function renderPanelsSoon() {
  if (!panelsFrame) panelsFrame = requestAnimationFrame(() => { panelsFrame = 0; renderPanels(); });
}
function refreshStatsSoon() {
  if (!statsTimer) statsTimer = setTimeout(() => { statsTimer = 0; renderStats(); }, 1_000);
}

function renderAll() {
  translate();
  $("language").textContent = t("languageButton");
  renderConnection();
  renderRunPicker();
  grid.refresh();
  grid.setRuns(shownRuns());
  renderStatus();
  renderPanels();
  renderControls();
  renderMetricPicker();
  renderStats();
}

function renderConnection() {
  const pill = $("connection");
  pill.dataset.state = state.connection;
  pill.textContent = t(`conn.${state.connection}`);
}

function renderRunPicker() {
  const select = $("run-select");
  const runs = [...state.summaries.values()];
  select.replaceChildren(...(runs.length
    ? runs.map((r) => el("option", { value: r.id, text: `${r.name ?? r.id} · ${r.id}${r.live ? ` (${t("live")})` : ""}` }))
    : [el("option", { value: "", text: t("noRuns") })]));
  select.value = state.primary ?? "";
  const list = $("compare-list");
  list.replaceChildren(...runs.filter((r) => r.id !== state.primary).map((r) => {
    const box = el("input", { type: "checkbox", value: r.id });
    box.checked = state.compared.has(r.id);
    box.addEventListener("change", () => toggleCompare(r.id, box.checked));
    return el("label", {}, box, `${r.name ?? r.id} · ${r.id}`);
  }));
}

function renderStatus() {
  const run = state.runs.get(state.primary);
  const strip = $("status-strip");
  if (!run) { strip.replaceChildren(el("span", { class: "muted", text: t("noRuns") })); return; }
  const s = run.summary;
  const stat = (key, value, name) => el("div", { class: "stat", "data-stat": name }, el("b", { text: value }), el("span", { text: t(key) }));
  strip.replaceChildren(
    stat("stat.state", t(`state.${s.state}`) + (s.live ? "" : ` · ${t("notLive")}`), "state"),
    stat("stat.step", run.step === null ? "–" : run.step.toLocaleString(), "step"),
    stat("stat.epoch", run.epoch ? `${run.epoch}${s.total_epochs ? ` / ${s.total_epochs}` : ""}` : "–", "epoch"),
    stat("stat.trainLoss", formatNumber(run.latest.train_loss), "train_loss"),
    stat("stat.valLoss", formatNumber(run.latest.val_loss), "val_loss"),
    stat("stat.valAccuracy", formatNumber(run.latest.val_accuracy), "val_accuracy"),
    stat("stat.learningRate", formatNumber(run.latest.learning_rate), "learning_rate"),
    stat("stat.throughput", formatNumber(run.latest.samples_per_second), "samples_per_second"),
    stat("stat.eta", run.eta ?? "–", "eta"));
}

function renderPanels() {
  const run = state.runs.get(state.primary) ?? null;
  renderFindings($("findings"), run);
  renderProposals($("proposals"), run, { available: state.proposalsAvailable, onApprove: approve, onReject: reject });
}

async function renderStats() {
  const target = $("proposal-stats");
  if (!state.proposalsAvailable || !state.primary) { target.textContent = ""; return; }
  try {
    const stats = await api.get("/api/assistant/stats", { run: state.primary });
    const o = stats.overall;
    const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)} %`);
    target.textContent = o.proposed ? t("stats", { adoption: pct(o.adoption_rate), helped: pct(o.helped_rate) }) : "";
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) console.error("TrainInsight: stats", error);
  }
}

function renderControls() {
  const run = state.runs.get(state.primary);
  const live = !!run?.summary.live && ["training", "paused"].includes(run.summary.state);
  for (const button of document.querySelectorAll("#control-panel button")) {
    const action = button.dataset.action;
    button.disabled = !live || (action === "pause" && run.summary.state === "paused") || (action === "resume" && run.summary.state !== "paused");
  }
  $("lr-input").disabled = !live;
  const lr = run?.latest.learning_rate;
  if (lr && document.activeElement !== $("lr-input")) $("lr-input").placeholder = formatNumber(lr);
}

function renderMetricPicker() {
  const select = $("add-metric");
  const run = state.runs.get(state.primary);
  const charted = new Set(grid.metricNames());
  const names = [...new Set([...(run?.summary.metric_names ?? []), ...(run ? run.metrics.keys() : [])])].filter((n) => !charted.has(n)).sort();
  select.replaceChildren(el("option", { value: "", text: t("addMetricPlaceholder") }), ...names.map((n) => el("option", { value: n, text: n })));
}

function report(what, error) {
  console.error(`TrainInsight: ${what}`, error);
  const banner = $("banner");
  banner.textContent = t("requestFailed", { what, detail: error.message });
  banner.hidden = false;
}

// ---------------------------------------------------------------------------------------------------------------------
// Actions

async function control(action, value) {
  const run = state.runs.get(state.primary);
  if (!run) return;
  const body = { action, run_id: run.id };
  if (value !== undefined) body.value = value;
  try {
    const accepted = await api.post("/api/training/control", body);
    const ack = state.acks.get(accepted.command_id);
    if (ack) {
      state.acks.delete(accepted.command_id);
      showAck(action, ack);
    } else {
      state.commands.set(accepted.command_id, action);
      $("control-status").textContent = t("commandAccepted", { action: t(`action.${action}`), id: accepted.command_id });
    }
  } catch (error) {
    $("control-status").textContent = t("requestFailed", { what: t(`action.${action}`), detail: error.message });
  }
}

async function approve(proposal, button) {
  const { ok } = await confirmAction({ title: t("approveTitle"), text: t("approveText", { title: proposal.title }), ok: t("approve") });
  if (!ok) return;
  button.disabled = true;
  try {
    upsertProposal(state.runs.get(proposal.run_id), await api.post(`/api/proposals/${proposal.proposal_id}/approve`, {}));
  } catch (error) {
    report(t("approve"), error);
  }
  renderPanels();
}

async function reject(proposal, button) {
  const { ok, reason } = await confirmAction({ title: t("rejectTitle"), text: proposal.title, ok: t("reject"), danger: true, reason: true });
  if (!ok) return;
  button.disabled = true;
  try {
    upsertProposal(state.runs.get(proposal.run_id), await api.post(`/api/proposals/${proposal.proposal_id}/reject`, reason ? { reason } : {}));
  } catch (error) {
    report(t("reject"), error);
  }
  renderPanels();
}

document.querySelectorAll("#control-panel button[data-action]").forEach((button) => button.addEventListener("click", async () => {
  const action = button.dataset.action;
  if (action === "stop") {
    const { ok } = await confirmAction({ title: t("stopTitle"), text: t("stopText", { run: state.primary }), ok: t("stop"), danger: true });
    if (!ok) return;
  }
  await control(action);
}));

$("lr-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const value = Number($("lr-input").value);
  if (!(value > 0 && value <= 10)) { $("control-status").textContent = t("invalidLr"); return; }
  const run = state.runs.get(state.primary);
  const { ok } = await confirmAction({
    title: t("setLrTitle"),
    text: t("setLrText", { from: formatNumber(run?.latest.learning_rate), to: formatNumber(value), run: state.primary }),
    ok: t("setLearningRate"),
  });
  if (ok) await control("set_learning_rate", value);
});

$("run-select").addEventListener("change", (e) => select(e.target.value));
$("add-metric").addEventListener("change", async (e) => {
  const name = e.target.value;
  if (!name) return;
  grid.addChart({ key: name, title: null, metrics: [name] });
  for (const run of state.runs.values()) {
    try {
      const response = await api.get(`/api/runs/${encodeURIComponent(run.id)}/metrics`, { names: name, max_points: config.history_points });
      run.metrics.delete(name);
      applyHistory(run, response.points);
    } catch (error) {
      report("history", error);
    }
  }
  grid.schedule(true);
  renderMetricPicker();
});
$("language").addEventListener("click", () => {
  setLanguage(language() === "zh" ? "en" : "zh");
  renderAll();
});

// For tests and benchmarks (not a supported API): what the page shows and how fast it drew it.
window.__trainInsight = {
  state: () => ({
    connection: state.connection,
    primary: state.primary,
    compared: [...state.compared],
    lastOffset: stream.lastOffset,
    events: state.events,
    gaps: state.gaps.slice(),
    charts: grid.describe(),
    runs: [...state.runs.values()].map((r) => ({
      id: r.id, state: r.summary.state, live: !!r.summary.live, step: r.step, maxOffset: r.maxOffset,
      findings: r.findings.size, proposals: r.proposals.size, markers: r.markers.length,
      metrics: Object.fromEntries([...r.metrics].map(([n, s]) => [n, s.length])),
    })),
  }),
  series: (runId, name) => {
    const s = state.runs.get(runId)?.metrics.get(name);
    return s ? { x: s.x.slice(), y: s.y.map((v) => (v === null || Number.isFinite(v) ? v : String(v))) } : null;
  },
  timings: () => ({ drawMs: state.drawMs.slice(), latencyMs: state.latencyMs.slice() }),
  resetTimings: () => { state.drawMs.length = 0; state.latencyMs.length = 0; state.undrawn.length = 0; },
};

// ---------------------------------------------------------------------------------------------------------------------
// Start: the run list and the chosen run's history first, then the stream from just after what was loaded.

async function start() {
  renderAll();
  try {
    await loadRuns();
    await select(defaultRun());
  } catch (error) {
    report("runs", error);
  }
  try {
    const stats = await fetch(api.url("/api/assistant/stats"), { method: "GET" });
    if (stats.status === 404) state.proposalsAvailable = false;
  } catch { /* reported by the stream's status */ }
  try {
    // The assistant's endpoints answer 404 (no such run) or 400 when mapped; 404 with no problem for a run means unmapped.
    const probe = await fetch(api.url("/api/assistant/conversations/probe"), { headers: { Accept: "application/json" } });
    chat.setAvailable(probe.status !== 404 || (probe.headers.get("Content-Type") ?? "").includes("problem"));
  } catch { chat.setAvailable(false); }
  const loaded = [...state.runs.values()];
  stream.start(loaded.length ? Math.min(...loaded.map((r) => r.maxOffset)) : null);
  renderAll();
  document.body.dataset.ready = "true";
}

start();
