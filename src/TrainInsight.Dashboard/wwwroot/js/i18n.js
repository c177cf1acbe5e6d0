// UI text in English and Chinese. The language is the one the user picked (kept in localStorage), else the browser's.
const texts = {
  en: {
    skipToCharts: "Skip to the charts", run: "Run", runSelect: "Run to show", compare: "Compare", compareRuns: "Runs to overlay",
    noRuns: "No runs yet", switchLanguage: "Switch language", languageButton: "中文", runStatus: "Run status", charts: "Charts",
    addMetric: "Add a metric", addMetricPlaceholder: "Choose a metric…", removeChart: "Remove chart {name}",
    findings: "Findings", noFindings: "No findings: nothing looks wrong so far.", control: "Control", pause: "Pause", resume: "Resume",
    stop: "Stop", saveCheckpoint: "Save checkpoint", evaluate: "Evaluate now", learningRate: "Learning rate", setLearningRate: "Set",
    proposals: "Proposals", noProposals: "No proposals yet.", proposalsUnavailable: "Proposals are not enabled on this server (AddProposals()).",
    assistant: "Assistant", quickActions: "Quick actions", quickAnalyze: "Analyse the current training",
    quickSuggest: "Get optimisation suggestions", quickDiagnose: "Diagnose training problems", message: "Message",
    messagePlaceholder: "Ask about this run… (Enter sends, Shift+Enter for a new line)", send: "Send",
    assistantUnavailable: "The assistant is not enabled on this server (AddLlm()).", reason: "Reason (optional)", cancel: "Cancel",
    confirm: "Confirm",
    "conn.connecting": "Connecting…", "conn.live": "Live", "conn.reconnecting": "Reconnecting…", "conn.offline": "Offline",
    "state.training": "training", "state.paused": "paused", "state.stopped": "stopped", "state.completed": "completed",
    "state.failed": "failed", "state.lost": "lost",
    "stat.state": "State", "stat.step": "Step", "stat.epoch": "Epoch", "stat.trainLoss": "Train loss", "stat.valLoss": "Val loss",
    "stat.valAccuracy": "Val accuracy", "stat.learningRate": "Learning rate", "stat.throughput": "Samples/s", "stat.eta": "ETA",
    "chart.loss": "Loss", "chart.accuracy": "Accuracy", "chart.learningRate": "Learning rate", "chart.throughput": "Throughput (samples/s)",
    "chart.gradientNorm": "Gradient norm", "chart.gpuMemory": "GPU memory (GiB)", "chart.noData": "No data yet",
    "chart.notReported": "This run does not report {names}.",
    live: "live", notLive: "not attached: control is off",
    gap: "{missed} events could not be delivered (offsets {first}–{last}); the charts were reloaded from the server's history.",
    "severity.info": "info", "severity.warning": "warning", "severity.critical": "critical",
    "findingState.open": "open", "findingState.resolved": "resolved", atStep: "step {step}", sinceStep: "since step {step}",
    fixes: "Fixes", approve: "Approve", reject: "Reject",
    "proposalState.pending": "pending", "proposalState.approved": "approved", "proposalState.applied": "applied",
    "proposalState.failed": "failed", "proposalState.rejected": "rejected", "proposalState.expired": "expired",
    "source.rule": "rule", "source.model": "model", "source.command": "chat command", "source.revert": "revert", "source.external": "API",
    "verdict.helped": "helped", "verdict.no_effect": "no effect", "verdict.hurt": "hurt",
    expected: "Expected: {text}", outcome: "{metric}: {before} → {after} (trend predicted {expected}, change {change})",
    appliedAt: "applied at step {step}", measuring: "measuring its effect on {metric}…",
    approveTitle: "Approve this proposal?", approveText: "{title}. It is applied to the live run at its next step.",
    rejectTitle: "Reject this proposal?", stopTitle: "Stop the run?",
    stopText: "The run {run} ends cleanly at its next step and cannot be resumed.", setLrTitle: "Change the learning rate?",
    setLrText: "From {from} to {to} for run {run}, at its next step.", invalidLr: "Enter a learning rate above 0 and at most 10.",
    commandAccepted: "{action}: sent ({id}); waiting for the trainer…", commandApplied: "{action}: applied at step {step}.",
    commandRejected: "{action}: rejected by the trainer: {message}", requestFailed: "{what} failed: {detail}",
    "action.pause": "Pause", "action.resume": "Resume", "action.stop": "Stop", "action.save_checkpoint": "Save checkpoint",
    "action.evaluate": "Evaluate", "action.set_learning_rate": "Set learning rate", "action.set_weight_decay": "Set weight decay",
    "action.set_early_stopping": "Set early stopping", "action.restore_checkpoint": "Restore checkpoint",
    "source.rules": "rules", "answerSource.model": "model", "answerSource.rules": "rules", you: "You",
    madeProposals: "{count} proposal(s) wait for approval in the Proposals panel.", canceled: "Stopped.",
    stats: "adoption {adoption} · helped {helped}", noRunSelected: "Choose a run first.",
    marker: "{kind} at step {step}", markerFinding: "finding", markerControl: "control",
  },
  zh: {
    skipToCharts: "跳到图表", run: "运行", runSelect: "要显示的运行", compare: "对比", compareRuns: "叠加显示的运行",
    noRuns: "还没有运行", switchLanguage: "切换语言", languageButton: "English", runStatus: "运行状态", charts: "图表",
    addMetric: "添加指标", addMetricPlaceholder: "选择指标…", removeChart: "移除图表 {name}",
    findings: "诊断发现", noFindings: "暂无发现：目前一切正常。", control: "控制", pause: "暂停", resume: "继续",
    stop: "停止", saveCheckpoint: "保存检查点", evaluate: "立即评估", learningRate: "学习率", setLearningRate: "设置",
    proposals: "建议操作", noProposals: "暂无建议。", proposalsUnavailable: "此服务器未启用建议功能（AddProposals()）。",
    assistant: "训练助手", quickActions: "快捷操作", quickAnalyze: "分析当前训练状态",
    quickSuggest: "获取优化建议", quickDiagnose: "诊断训练问题", message: "消息",
    messagePlaceholder: "询问这次训练…（回车发送，Shift+回车换行）", send: "发送",
    assistantUnavailable: "此服务器未启用训练助手（AddLlm()）。", reason: "原因（可选）", cancel: "取消",
    confirm: "确认",
    "conn.connecting": "连接中…", "conn.live": "实时", "conn.reconnecting": "重新连接中…", "conn.offline": "离线",
    "state.training": "训练中", "state.paused": "已暂停", "state.stopped": "已停止", "state.completed": "已完成",
    "state.failed": "失败", "state.lost": "失联",
    "stat.state": "状态", "stat.step": "步数", "stat.epoch": "轮次", "stat.trainLoss": "训练损失", "stat.valLoss": "验证损失",
    "stat.valAccuracy": "验证准确率", "stat.learningRate": "学习率", "stat.throughput": "样本/秒", "stat.eta": "剩余时间",
    "chart.loss": "损失", "chart.accuracy": "准确率", "chart.learningRate": "学习率", "chart.throughput": "吞吐量（样本/秒）",
    "chart.gradientNorm": "梯度范数", "chart.gpuMemory": "GPU 显存（GiB）", "chart.noData": "暂无数据",
    "chart.notReported": "此运行未上报 {names}。",
    live: "在线", notLive: "未连接训练进程：控制不可用",
    gap: "有 {missed} 个事件未能送达（偏移 {first}–{last}）；已从服务器历史重新加载图表。",
    "severity.info": "提示", "severity.warning": "警告", "severity.critical": "严重",
    "findingState.open": "未解决", "findingState.resolved": "已解决", atStep: "第 {step} 步", sinceStep: "自第 {step} 步",
    fixes: "修复方法", approve: "批准", reject: "拒绝",
    "proposalState.pending": "待批准", "proposalState.approved": "已批准", "proposalState.applied": "已应用",
    "proposalState.failed": "失败", "proposalState.rejected": "已拒绝", "proposalState.expired": "已过期",
    "source.rule": "规则", "source.model": "模型", "source.command": "对话指令", "source.revert": "撤销", "source.external": "API",
    "verdict.helped": "有效", "verdict.no_effect": "无明显效果", "verdict.hurt": "变差",
    expected: "预期：{text}", outcome: "{metric}：{before} → {after}（趋势预测 {expected}，变化 {change}）",
    appliedAt: "已在第 {step} 步应用", measuring: "正在测量其对 {metric} 的影响…",
    approveTitle: "批准此建议？", approveText: "{title}。将在运行的下一步应用。",
    rejectTitle: "拒绝此建议？", stopTitle: "停止此运行？",
    stopText: "运行 {run} 将在下一步干净地结束，且无法继续。", setLrTitle: "修改学习率？",
    setLrText: "运行 {run} 的学习率将在下一步从 {from} 改为 {to}。", invalidLr: "请输入大于 0 且不超过 10 的学习率。",
    commandAccepted: "{action}：已发送（{id}），等待训练进程…", commandApplied: "{action}：已在第 {step} 步应用。",
    commandRejected: "{action}：训练进程拒绝：{message}", requestFailed: "{what} 失败：{detail}",
    "action.pause": "暂停", "action.resume": "继续", "action.stop": "停止", "action.save_checkpoint": "保存检查点",
    "action.evaluate": "评估", "action.set_learning_rate": "设置学习率", "action.set_weight_decay": "设置权重衰减",
    "action.set_early_stopping": "设置早停", "action.restore_checkpoint": "恢复检查点",
    "source.rules": "规则", "answerSource.model": "模型", "answerSource.rules": "规则", you: "你",
    madeProposals: "{count} 条建议在“建议操作”面板等待批准。", canceled: "已停止。",
    stats: "采纳率 {adoption} · 有效率 {helped}", noRunSelected: "请先选择一个运行。",
    marker: "第 {step} 步的{kind}", markerFinding: "诊断发现", markerControl: "控制操作",
  },
};

const STORAGE_KEY = "traininsight.language";
let current = pick();

function pick() {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh") return saved;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base === "zh") return "zh";
    if (base === "en") return "en";
  }
  return "en";
}

function safeStorage() {
  try { return window.localStorage; } catch { return null; }
}

/** The UI language: "en" or "zh". */
export function language() { return current; }

/** The BCP 47 tag sent to the assistant. */
export function languageTag() { return current === "zh" ? "zh-CN" : "en"; }

export function setLanguage(value) {
  current = value === "zh" ? "zh" : "en";
  safeStorage()?.setItem(STORAGE_KEY, current);
  document.documentElement.lang = languageTag();
}

/** The text of key in the UI language, with {name} placeholders filled from params. */
export function t(key, params) {
  const text = texts[current][key] ?? texts.en[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
}

/** Writes the UI text into every element under root marked with data-i18n, data-i18n-placeholder or data-i18n-aria-label. */
export function translate(root = document) {
  document.documentElement.lang = languageTag();
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
}

/** A number for people: up to 4 significant digits, exponent for very small or large values; non-finite as they are. */
export function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toLocaleString(current === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 6 });
}
