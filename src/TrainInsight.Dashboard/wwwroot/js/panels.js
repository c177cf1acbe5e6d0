// The findings and proposals panels: the latest revision of each, rendered as cards.
import { t, formatNumber } from "./i18n.js";
import { wireNumber } from "./api.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function badge(kind, text) {
  return el("span", { class: "badge", "data-kind": kind, text });
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };

export function renderFindings(list, run) {
  list.replaceChildren();
  const findings = run ? [...run.findings.values()] : [];
  findings.sort((a, b) => (a.state === b.state ? 0 : a.state === "open" ? -1 : 1)
    || (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) || (b.step ?? 0) - (a.step ?? 0));
  if (!findings.length) {
    list.append(el("li", { class: "empty-note", text: t("noFindings") }));
    return;
  }
  for (const f of findings) {
    const fixes = (f.fixes ?? []).map((fix) => el("li", { text: fix.title }));
    list.append(el("li", { class: "card", "data-severity": f.severity, "data-state": f.state, "data-finding": f.finding_id },
      el("div", { class: "head" },
        badge(f.severity, t(`severity.${f.severity}`)),
        el("span", { class: "title", text: f.label }),
        el("span", { class: "meta", text: `${t(`findingState.${f.state}`)} · ${t("sinceStep", { step: f.first_step })}` })),
      el("p", { text: f.message }),
      fixes.length ? el("details", {}, el("summary", { class: "meta", text: t("fixes") }), el("ul", {}, ...fixes)) : null));
  }
}

const STATE_ORDER = { pending: 0, approved: 1, applied: 2, failed: 3, rejected: 4, expired: 5 };

export function renderProposals(list, run, { available, onApprove, onReject }) {
  list.replaceChildren();
  if (!available) {
    list.append(el("li", { class: "empty-note", text: t("proposalsUnavailable") }));
    return;
  }
  const proposals = run ? [...run.proposals.values()] : [];
  proposals.sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || (b.created_at ?? 0) - (a.created_at ?? 0));
  if (!proposals.length) {
    list.append(el("li", { class: "empty-note", text: t("noProposals") }));
    return;
  }
  for (const p of proposals) {
    const outcome = p.outcome;
    const card = el("li", { class: "card", "data-state": p.state, "data-verdict": outcome?.verdict, "data-proposal": p.proposal_id },
      el("div", { class: "head" },
        badge(p.state, t(`proposalState.${p.state}`)),
        badge(p.source, t(`source.${p.source}`)),
        el("span", { class: "title", text: p.title })),
      p.rationale ? el("p", { text: p.rationale }) : null,
      p.expected_effect ? el("p", { class: "meta", text: t("expected", { text: p.expected_effect }) }) : null);
    if (p.state === "applied" && !outcome && p.target_metric) {
      card.append(el("p", { class: "meta", text: `${t("appliedAt", { step: p.applied_step })} · ${t("measuring", { metric: p.target_metric })}` }));
    }
    if (outcome) {
      card.append(el("p", {},
        badge(outcome.verdict, t(`verdict.${outcome.verdict}`)), " ",
        el("span", { class: "meta", "data-outcome": "numbers", text: t("outcome", {
          metric: outcome.metric,
          before: formatNumber(wireNumber(outcome.before)),
          after: formatNumber(wireNumber(outcome.after)),
          expected: formatNumber(wireNumber(outcome.expected)),
          change: formatPercent(wireNumber(outcome.change)),
        }) })),
      el("p", { text: outcome.message }));
    }
    if (p.reason && p.state !== "pending") card.append(el("p", { class: "meta", text: p.reason }));
    if (p.state === "pending") {
      const approve = el("button", { type: "button", class: "primary", "data-approve": p.proposal_id, text: t("approve") });
      const reject = el("button", { type: "button", "data-reject": p.proposal_id, text: t("reject") });
      approve.addEventListener("click", () => onApprove(p, approve));
      reject.addEventListener("click", () => onReject(p, reject));
      card.append(el("div", { class: "buttons" }, approve, reject));
    }
    list.append(card);
  }
}

function formatPercent(value) {
  if (value === null || !Number.isFinite(value)) return String(value);
  return `${value > 0 ? "+" : ""}${(value * 100).toFixed(1)} %`;
}

export { el, badge };
