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
