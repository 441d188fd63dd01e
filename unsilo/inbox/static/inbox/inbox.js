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
