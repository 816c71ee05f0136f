// The main menu on a narrow screen: one "Menu" button instead of seven lines of links (responsive.css).
(function () {
  "use strict";
  const button = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (!button || !nav) { return; }
  const bar = button.closest(".topbar");
  bar.classList.add("nav-collapsible");  // without this script the menu simply stays open
  button.hidden = false;
  function set(open) {
    bar.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", String(open));
  }
  // Other scripts may fold the menu away (e.g. before showing an alert on a phone).
  RTCC.menu = { open: () => set(true), close: () => set(false) };
  button.addEventListener("click", () => set(!bar.classList.contains("nav-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && bar.classList.contains("nav-open")) { set(false); button.focus(); }
  });
})();
