// A confirmation built on <dialog>: focus is kept inside it, Escape cancels.
import { t } from "./i18n.js";

/** Shows the dialog; resolves to {ok, reason}. */
export function confirmAction({ title, text, ok, danger = false, reason = false }) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text ?? "";
  const button = document.getElementById("confirm-ok");
  button.textContent = ok ?? t("confirm");
  button.classList.toggle("danger", danger);
  button.classList.toggle("primary", !danger);
  const field = document.getElementById("confirm-reason-field");
  const input = document.getElementById("confirm-reason");
  field.hidden = !reason;
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve({ ok: dialog.returnValue === "ok", reason: input.value.trim() || null }), { once: true });
    dialog.returnValue = "cancel";
    dialog.showModal();
    (reason ? input : button).focus();
  });
}
