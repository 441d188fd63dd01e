// On a narrow screen the navigation folds behind a Menu button (app.css); without JavaScript
// it stays open, so every page is still reachable.
const header = document.querySelector("header.top");
const menu = header?.querySelector("button.menu");
if (menu) {
  menu.hidden = false;
  header.classList.add("folded");
  menu.setAttribute("aria-expanded", "false");
  menu.addEventListener("click", () => {
    const open = header.classList.toggle("folded") === false;
    menu.setAttribute("aria-expanded", String(open));
  });
}
