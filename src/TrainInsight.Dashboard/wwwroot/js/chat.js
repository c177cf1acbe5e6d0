// The assistant's chat: the three quick actions and free text; answers stream in token by token and say whether the
// model or the rules wrote them.
import { t, languageTag } from "./i18n.js";
import { el, badge } from "./panels.js";

export class Chat {
  constructor(api, { log, form, input, quick, currentRun }) {
    this.api = api;
    this.log = log;
    this.input = input;
    this.currentRun = currentRun;
    this.conversations = new Map(); // run id → conversation id
    this.busy = false;
    this.available = true;
    this.controller = null;
    this.buttons = [...quick.querySelectorAll("button"), form.querySelector("button[type=submit]")];
    form.addEventListener("submit", (e) => { e.preventDefault(); this.send(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
    });
    for (const button of quick.querySelectorAll("button[data-quick]")) {
      button.addEventListener("click", () => this.quick(button.dataset.quick, button.textContent));
    }
  }

  setAvailable(available) {
    this.available = available;
    if (!available) this.note(t("assistantUnavailable"));
    this.update();
  }

  update() {
    for (const button of this.buttons) button.disabled = this.busy || !this.available;
  }

  note(text) {
    this.log.append(el("div", { class: "msg assistant", text }));
  }

  user(text) {
    this.log.append(el("div", { class: "msg user", "aria-label": t("you") }, text));
    this.scroll();
  }

  scroll() { this.log.scrollTop = this.log.scrollHeight; }

  async send() {
    const text = this.input.value.trim();
    const run = this.currentRun();
    if (!text || this.busy) return;
    if (!run) return this.note(t("noRunSelected"));
    this.input.value = "";
    this.user(text);
    const body = { run_id: run.id, message: text, language: languageTag() };
    const conversation = this.conversations.get(run.id);
    if (conversation) body.conversation_id = conversation;
    await this.stream("/api/assistant/chat", body, run);
  }

  async quick(kind, label) {
    const run = this.currentRun();
    if (this.busy) return;
    if (!run) return this.note(t("noRunSelected"));
    this.user(label);
    const body = { run_id: run.id, language: languageTag() };
    if (kind === "analyze") await this.stream("/api/assistant/analyze", { ...body, stream: true }, run);
    else await this.once(`/api/assistant/${kind}`, body);
  }

  bubble() {
    const text = el("div", { class: "text" });
    const foot = el("div", { class: "foot" });
    const message = el("div", { class: "msg assistant", "aria-busy": "true", "data-role": "answer" }, text, foot);
    this.log.append(message);
    this.scroll();
    return { message, text, foot };
  }

  begin() {
    this.busy = true;
    this.update();
    this.controller = new AbortController();
  }

  end() {
    this.busy = false;
    this.controller = null;
    this.update();
  }

  async stream(path, body, run) {
    this.begin();
    const view = this.bubble();
    let streamed = "";
    try {
      await this.api.postStream(path, body, (event, data) => {
        if (event === "delta") {
          streamed += data.text;
          view.text.textContent = streamed;
          this.scroll();
        } else if (event === "reset") {
          streamed = "";
          view.text.textContent = "";
        } else if (event === "answer") {
          this.finish(view, data, run);
        } else if (event === "error") {
          throw new Error(data.detail ?? data.title);
        }
      }, this.controller.signal);
    } catch (error) {
      this.fail(view, error);
    } finally {
      view.message.setAttribute("aria-busy", "false");
      this.end();
    }
  }

  async once(path, body) {
    this.begin();
    const view = this.bubble();
    try {
      const answer = await this.api.post(path, body, this.controller.signal);
      view.text.textContent = answer.text;
      this.finish(view, answer);
    } catch (error) {
      this.fail(view, error);
    } finally {
      view.message.setAttribute("aria-busy", "false");
      this.end();
    }
  }

  finish(view, answer, run) {
    view.text.textContent = answer.text;
    view.message.dataset.source = answer.source;
    view.foot.replaceChildren(badge(answer.source, t(`answerSource.${answer.source}`)));
    if (answer.model_id) view.foot.append(el("span", { text: answer.model_id }));
    if (answer.notice) view.foot.append(el("span", { text: answer.notice }));
    if (answer.proposals?.length) view.foot.append(el("span", { text: t("madeProposals", { count: answer.proposals.length }) }));
    if (answer.conversation_id && run) this.conversations.set(run.id, answer.conversation_id);
    this.scroll();
  }

  fail(view, error) {
    view.message.classList.add("error");
    view.text.textContent = t("requestFailed", { what: t("assistant"), detail: error.message });
  }
}
