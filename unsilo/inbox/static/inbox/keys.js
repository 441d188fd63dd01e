// Keyboard shortcuts of the inbox (listed by "?", inbox/_shortcuts.html): j/k move through the
// list and open the conversation beside it, r reply, n note, e resolve, a assign, / search.
// They wait while the reader types in a field or a dialog is open.
const typing = (el) => el instanceof HTMLElement
  && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

function openConversation() {
  return document.querySelector("#pane #conversation[data-conv]")
    || document.querySelector("#conversation[data-conv]");
}

function move(step) {
  const rows = [...document.querySelectorAll("#rows tr[data-conv]")];
  if (!rows.length) return;
  const shown = openConversation()?.dataset.conv;
  let at = rows.findIndex((r) => r.classList.contains("selected"));
  if (at < 0 && shown) at = rows.findIndex((r) => r.dataset.conv === shown);
  const next = rows[at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + step))];
  const link = next.querySelector("a[data-pane]");
  next.scrollIntoView({ block: "nearest" });
  const pane = document.getElementById("pane");
  if (pane && getComputedStyle(pane).display !== "none") {
    link.click();
  } else {
    window.inboxSelectRow?.(next);
    link.focus();
  }
}

function focusField(id) {
  const box = openConversation()?.querySelector(`#${id}`);
  if (!box) return false;
  box.closest("details")?.setAttribute("open", "");
  box.focus();
  return true;
}

let before = null;

function showShortcuts() {
  const dialog = document.getElementById("shortcuts");
  if (!dialog || dialog.open) return;
  before = document.activeElement;
  dialog.showModal();
}

document.addEventListener("close", (event) => {
  if (event.target.id === "shortcuts" && before instanceof HTMLElement) before.focus();
}, true);

const KEYS = {
  j: () => move(1),
  k: () => move(-1),
  r: () => focusField("id_reply-text"),
  n: () => focusField("id_note-text"),
  e: () => openConversation()?.querySelector("[data-key='e']")?.click(),
  a: () => {
    const details = openConversation()?.querySelector("details[data-key='a']");
    if (!details) return;
    details.open = true;
    details.querySelector("select, input")?.focus();
  },
  "/": () => document.getElementById("inbox-q")?.focus(),
  "?": showShortcuts,
};

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event.target) || document.querySelector("dialog[open]")) return;
  const action = KEYS[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-shortcuts]")) showShortcuts();
});
