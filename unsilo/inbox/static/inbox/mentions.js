// @mention picker in the note box (textarea[data-mentions]): typing "@" and letters lists the
// people who match (views/mentions.py); arrows choose, Enter or Tab inserts, Escape closes.
// What is inserted ("@Dana Ruiz", or "@email" when a name is shared) is what the server's
// MENTION parser reads back as that person. Without JavaScript, typing it works the same.
const TYPED = /(?:^|[^\w@.])@([\w.+'-]+(?: [\w'-]*){0,2})$/u;
let picker = null; // { box, list, people, at, active, controller }

function typedMention(box) {
  const before = box.value.slice(0, box.selectionStart);
  const match = TYPED.exec(before);
  return match ? { query: match[1], at: before.length - match[1].length - 1 } : null;
}

function close() {
  if (!picker) return;
  picker.controller?.abort();
  picker.list.hidden = true;
  picker.list.replaceChildren();
  picker.box.setAttribute("aria-expanded", "false");
  picker.box.removeAttribute("aria-activedescendant");
  picker.people = [];
}

function listFor(box) {
  let list = document.getElementById(`${box.id}-mentions`);
  if (!list) {
    list = document.createElement("ul");
    list.id = `${box.id}-mentions`;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    box.after(list);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
  }
  return list;
}

function highlight(index) {
  picker.active = index;
  [...picker.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
  picker.box.setAttribute("aria-activedescendant", `${picker.list.id}-${index}`);
}

function show(people) {
  picker.people = people;
  picker.list.replaceChildren(...people.map((p, i) => {
    const li = document.createElement("li");
    li.id = `${picker.list.id}-${i}`;
    li.setAttribute("role", "option");
    const name = document.createElement("b");
    name.textContent = p.name;
    const more = document.createElement("span");
    more.className = "hint";
    more.textContent = ` ${p.silo}${p.title ? ` · ${p.title}` : ""}`;
    li.append(name, more);
    li.dataset.index = String(i);
    return li;
  }));
  picker.list.hidden = !people.length;
  picker.box.setAttribute("aria-expanded", String(people.length > 0));
  if (people.length) highlight(0);
}

function insert(index) {
  const { box, at, people } = picker;
  const chosen = people[index];
  if (!chosen) return;
  const end = box.selectionStart;
  box.focus();
  box.setSelectionRange(at, end);
  const text = `${chosen.mention} `;
  if (!document.execCommand("insertText", false, text)) box.setRangeText(text, at, end, "end");
  close();
}

async function lookUp(box) {
  const typed = typedMention(box);
  if (!typed) { close(); return; }
  picker?.controller?.abort();
  picker = { ...picker, box, list: listFor(box), at: typed.at, controller: new AbortController() };
  const url = `${box.dataset.mentions}?${new URLSearchParams({ q: typed.query })}`;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" },
      signal: picker.controller.signal });
    if (!response.ok) { close(); return; }
    show((await response.json()).people);
  } catch (error) {
    if (error.name !== "AbortError") close();
  }
}

let timer = 0;
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || !box.dataset.mentions) return;
  clearTimeout(timer);
  timer = setTimeout(() => lookUp(box), 120);
});

document.addEventListener("keydown", (event) => {
  if (!picker || event.target !== picker.box || picker.list.hidden) return;
  const n = picker.people.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    highlight((picker.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n);
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    insert(picker.active);
  } else if (event.key === "Escape") {
    event.preventDefault();
    close();
  }
});

document.addEventListener("mousedown", (event) => {
  const option = event.target.closest?.(".mention-list li[role='option']");
  if (!option || !picker) return;
  event.preventDefault(); // keep the caret in the box
  insert(Number(option.dataset.index));
});

document.addEventListener("focusout", (event) => {
  if (picker && event.target === picker.box) setTimeout(close, 0);
});
