// The live list prepends rows with new activity; htmx cannot drop the row each one replaces
// without failing when it is not on the page, so this does.
document.addEventListener("htmx:afterSwap", (event) => {
  const rows = document.getElementById("rows");
  if (!rows || event.detail.target !== rows) return;
  const seen = new Set();
  for (const row of rows.querySelectorAll("tr[data-conv]")) {
    if (seen.has(row.dataset.conv)) row.remove();
    else seen.add(row.dataset.conv);
  }
  document.getElementById("empty-note")?.remove();
});

// Saved replies: Insert puts the chosen reply at the caret of the reply box and keeps what is
// typed there, as one step that Ctrl-Z undoes. Without JavaScript the button posts the draft
// and the server appends the reply (views/conversation.py insert_saved).
const focusedBoxes = new WeakSet();
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLTextAreaElement) focusedBoxes.add(event.target);
});

function insertAtCaret(box, text) {
  // A box never focused has no caret a person chose: add after what is there.
  if (!focusedBoxes.has(box)) box.setSelectionRange(box.value.length, box.value.length);
  const start = box.selectionStart;
  const end = box.selectionEnd;
  const before = box.value.slice(0, start);
  const after = box.value.slice(end);
  const piece = (before && !/\s$/.test(before) ? " " : "") + text
    + (after && !/^\s/.test(after) ? " " : "");
  box.focus();
  box.setSelectionRange(start, end);
  // insertText keeps the browser's undo history; setRangeText is the fallback without it.
  if (!document.execCommand("insertText", false, piece)) {
    box.setRangeText(piece, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-insert-saved]");
  if (!button) return;
  const select = document.getElementById(button.dataset.insertSaved);
  const box = button.form?.querySelector("textarea");
  const option = select?.selectedOptions[0];
  if (!box) return;
  event.preventDefault();
  if (!option?.dataset.url) {
    select.focus(); // nothing chosen yet
    return;
  }
  const response = await fetch(option.dataset.url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    button.form.requestSubmit(button); // let the server say what went wrong
    return;
  }
  insertAtCaret(box, (await response.json()).text);
});

// On a wide screen the inbox is the list beside the open conversation (inbox.css shows #pane
// from 1100 px): a row's link opens it in the pane and pushes its URL, so back, forward and
// the address bar work; the forms inside the pane post there and the answer stays there.
// On a phone, or without JavaScript, the links and forms are plain: a page each.
const pane = () => document.getElementById("pane");
const paneShown = () => Boolean(pane()) && getComputedStyle(pane()).display !== "none";

function selectRow(row) {
  for (const other of document.querySelectorAll("#rows tr.selected")) {
    other.classList.remove("selected");
    other.removeAttribute("aria-current");
  }
  row.classList.add("selected");
  row.setAttribute("aria-current", "true");
  // Opened: read now (the server marks it read as it answers).
  row.classList.remove("unread");
  for (const mark of row.querySelectorAll(".unread-mark")) mark.remove();
}
window.inboxSelectRow = selectRow;

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-pane]");
  if (!link || !paneShown() || event.button !== 0 || event.ctrlKey || event.metaKey
      || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const row = link.closest("#rows tr");
  if (row) selectRow(row);
  htmx.ajax("GET", link.getAttribute("href"), {
    source: link, target: "#pane", select: "#conversation", swap: "innerHTML", push: "true",
  });
});

function markShown() {
  const shown = document.querySelector("#pane #conversation[data-conv]")?.dataset.conv;
  const row = shown && document.getElementById(`conv-${shown}`);
  if (row) selectRow(row);
}

// After an action in the pane the list is read again, so a resolved or handed-off
// conversation leaves it and a new assignee shows (the URL stays the conversation's).
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target?.id !== "pane" || event.detail.requestConfig?.verb !== "post") return;
  const url = document.getElementById("results")?.dataset.listUrl;
  if (!url) return;
  htmx.ajax("GET", url, { target: "#results", select: "#results", swap: "outerHTML" })
    .then(markShown);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.closest("#pane") || form.method !== "post"
      || form.hasAttribute("hx-post")) return;
  event.preventDefault();
  const values = {};
  if (event.submitter?.name) values[event.submitter.name] = event.submitter.value;
  htmx.ajax("POST", form.getAttribute("action"), {
    source: form, target: "#pane", select: "#conversation", swap: "innerHTML", values,
  });
});

// The bulk bar: how many are ticked, and a box that ticks every row shown.
function countTicked() {
  const count = document.getElementById("bulk-count");
  if (!count) return;
  const n = document.querySelectorAll("#rows input[name='c'][form='bulk']:checked").length;
  count.textContent = n ? `${n} ticked` : "Tick conversations to act on several at once.";
  // The actions show once something is ticked (without JavaScript they always show).
  const bar = document.getElementById("bulk-actions");
  if (bar) bar.hidden = n === 0;
}
countTicked();
document.addEventListener("htmx:afterSettle", countTicked);
// Back to the list: the restored page has no ticks (they are not part of its HTML).
document.addEventListener("htmx:historyRestore", countTicked);

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches?.("[data-select-all]")) {
    for (const row of document.querySelectorAll("#rows input[name='c'][form='bulk']")) {
      row.checked = box.checked;
    }
  }
  if (box.matches?.("[data-select-all], input[name='c'][form='bulk']")) countTicked();
});
