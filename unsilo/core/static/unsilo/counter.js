// The composer's counter: how much is left on the network, counted as connectors/limits.py
// counts (graphemes; on X, links as 23 and emoji and CJK as 2). The server checks the same
// before it queues anything; this only tells the writer sooner.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\uFE0F|\u20E3/u;
const LIGHT = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

const clusters = (text) => Array.from(graphemes.segment(text), (s) => s.segment);

function weight(cluster) {
  if (EMOJI.test(cluster) && !/^[\x00-\x7f]*$/.test(cluster)) return 2;
  let n = 0;
  for (const ch of cluster) {
    const c = ch.codePointAt(0);
    n += LIGHT.some(([lo, hi]) => lo <= c && c <= hi) ? 1 : 2;
  }
  return n;
}

function length(rule, text) {
  if (rule.counting === "weighted") text = text.normalize("NFC");
  if (rule.remote_mentions_short) text = text.replace(new RegExp(rule.mention_pattern, "giu"), "@$1");
  let links = 0;
  if (rule.url_length !== null) {
    text = text.replace(new RegExp(rule.url_pattern, "giu"), () => { links += 1; return ""; });
  }
  const base = links * (rule.url_length || 0);
  if (rule.counting === "weighted") return base + clusters(text).reduce((n, c) => n + weight(c), 0);
  if (rule.counting === "graphemes") return base + clusters(text).length;
  return base + Array.from(text).length;
}

function update(counter, box) {
  const rule = JSON.parse(counter.dataset.limit);
  const left = rule.max - length(rule, box.value.trim()); // the server strips, too
  const over = left < 0;
  counter.textContent = over ? `${rule.label}: ${-left} over the limit of ${rule.max}`
    : `${rule.label}: ${left} character${left === 1 ? "" : "s"} left`;
  counter.classList.toggle("over", over);
  box.setAttribute("aria-invalid", over ? "true" : "false");
  // Screen readers hear the count when it matters (20 and 10 left, over), not on every key.
  const alert = document.getElementById(`${counter.id}-alert`);
  const wasOver = counter.dataset.over === "true";
  if (alert && (over !== wasOver || left === 20 || left === 10)) {
    alert.textContent = counter.textContent;
  }
  counter.dataset.over = String(over);
}

function counterOf(box) {
  return box.id && document.querySelector(`[data-limit][data-for="${box.id}"]`);
}

document.addEventListener("input", (event) => {
  const counter = counterOf(event.target);
  if (counter) update(counter, event.target);
});

for (const counter of document.querySelectorAll("[data-limit][data-for]")) {
  const box = document.getElementById(counter.dataset.for);
  if (box) update(counter, box);
}
